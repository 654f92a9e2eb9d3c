"""A slow, scalar reference model of the IBM record formats, used to cross-check the engine."""

from .model import decode_record, encode_record, field_construct

__all__ = ["decode_record", "encode_record", "field_construct"]
