"""Error classes. Every error names a place (copybook line/column, record number, byte offset,
field path) and never the content of a data field: master files hold taxpayer IDs."""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with lone surrogates (undecodable bytes of a file name, say) written as
    backslash escapes, so that it can be printed, encoded to UTF-8 and stored in Arrow."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


class LegacyioError(Exception):
    """Base class of every error legacyio raises on purpose."""


class LegacyioWarning(UserWarning):
    """Base class of legacyio's warnings; the message names its place (copybook
    ``file:line:column``, input file), never a field's content."""


class DataWarning(LegacyioWarning):
    """The data probably does not match the layout (most records bad or kept raw)."""


class CopybookError(LegacyioError):
    """A copybook could not be parsed or laid out; names file, line and column."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        where = printable(self.file or "<copybook>")
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class DecodeError(LegacyioError):
    """A record or field could not be decoded (strict mode, or a framing error).

    ``record`` is the 1-based record number, ``offset`` the 0-based byte offset in the input,
    ``field`` the dotted COBOL path of the field (None for framing errors).
    """

    def __init__(
        self,
        message: str,
        *,
        record: int | None = None,
        offset: int | None = None,
        field: str | None = None,
        source: str | None = None,
    ) -> None:
        self.message = message
        self.record = record
        self.offset = offset
        self.field = field
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        if self.source:
            parts.append(printable(self.source))
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.offset is not None:
            parts.append(f"byte offset {self.offset}")
        if self.field:
            parts.append(f"field {self.field}")
        prefix = ", ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class EncodeError(LegacyioError):
    """A value cannot be written to its field; names the record number and field path.

    ``hint`` is ``(option, values)`` for an error an option would avoid: the message says
    ``(use null_as=spaces|low-values|zero)`` (the API's keyword), ``cli_message()`` says
    ``(use --null-as spaces|low-values|zero)`` (the command line's flag).
    """

    def __init__(
        self,
        message: str,
        *,
        record: int | None = None,
        field: str | None = None,
        hint: tuple[str, str] | None = None,
    ) -> None:
        self.message = message
        self.record = record
        self.field = field
        self.hint = hint
        super().__init__(self._render())

    def _render(self, cli: bool = False) -> str:
        parts = []
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.field:
            parts.append(f"field {self.field}")
        prefix = ", ".join(parts)
        text = self.message
        if self.hint is not None:
            option, values = self.hint
            if cli:
                text += f" (use --{option.replace('_', '-')} {values})"
            else:
                text += f" (use {option}={values})"
        return f"{prefix}: {text}" if prefix else text

    def cli_message(self) -> str:
        """The message with the hint naming the command-line flag instead of the keyword."""
        return self._render(cli=True)


class OptionsError(LegacyioError, ValueError):
    """Options that contradict each other or the copybook."""
