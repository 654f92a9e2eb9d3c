      *================================================================*
      * NUMERICS - writes the numeric-edge golden file (copybook      *
      *  NUMERICS.CPY): COMP-5 (native, little-endian on x86), IEEE   *
      *  COMP-1/COMP-2 (little-endian), big-endian COMP with a scale,  *
      *  packed with even digit counts and 38 digits, SV9(5). cp037    *
      *  text, signs C/D (-fsign=EBCDIC).                              *
      *  COMP-5 with a scale is DISPLAYed through the edited copy      *
      *  WS-SCALED-C5-ED (PIC -9(5).99): GnuCOBOL 3.1.2 DISPLAYs a     *
      *  scaled COMP-5 item without its decimal point.                 *
      *================================================================*
       IDENTIFICATION DIVISION.
       PROGRAM-ID. NUMERICS.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT NUMERIC-FILE ASSIGN TO "numerics_ebcdic.dat"
               ORGANIZATION IS SEQUENTIAL
               FILE STATUS IS WS-FS.
       DATA DIVISION.
       FILE SECTION.
       FD  NUMERIC-FILE.
       COPY "numerics.cpy".
       WORKING-STORAGE SECTION.
       01  WS-FS                       PIC XX.
       01  WS-REC-NO                   PIC 9(4)  VALUE 0.
       01  WS-SCALED-C5-ED             PIC -9(5).99.
       01  WS-I                        PIC 9(4).
       01  WS-SIGN                     PIC S9    VALUE 1.
       COPY "cp037tab.cpy".
       PROCEDURE DIVISION.
       MAIN-PARA.
           OPEN OUTPUT NUMERIC-FILE
           PERFORM EDGE-ZERO
           PERFORM EDGE-MAX
           PERFORM EDGE-MIN
           PERFORM EDGE-SMALL
           PERFORM GENERATED VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 20
           CLOSE NUMERIC-FILE
           STOP RUN.

       CLEAR-RECORD.
           MOVE SPACES TO NUMERIC-SAMPLE
           INITIALIZE NUMERIC-SAMPLE.

      * Record 1: zero everywhere, all-space label.
       EDGE-ZERO.
           PERFORM CLEAR-RECORD
           PERFORM EMIT-RECORD.

      * Record 2: the maximum of every picture; 2**24 and 2**53, the
      *  largest integers COMP-1 and COMP-2 hold exactly.
       EDGE-MAX.
           PERFORM CLEAR-RECORD
           MOVE 9999 TO NS-ID
           MOVE "MAXIMUM ÿÿÿ" TO NS-LABEL
           MOVE 9999 TO NS-HALF-C5 NS-UHALF-C5 NS-PACK-EVEN
           MOVE 999999999 TO NS-FULL-C5 NS-UFULL-BIN
           MOVE 999999999999999999 TO NS-DOUBLE-C5 NS-ZONED-18
           MOVE 99999.99 TO NS-SCALED-C5
           MOVE 9999999999999999.99 TO NS-SCALED-BIN
           MOVE 16777216 TO NS-SINGLE
           MOVE 9007199254740992 TO NS-DOUBLE
           MOVE 9 TO NS-PACK-ONE
           MOVE 999999.99 TO NS-PACK-UEVEN
           MOVE 99999999999999999999999999999999999999 TO NS-PACK-38
           MOVE .99999 TO NS-FRACTION
           PERFORM EMIT-RECORD.

      * Record 3: the minimum (most negative) of every signed picture.
       EDGE-MIN.
           PERFORM CLEAR-RECORD
           MOVE 1 TO NS-ID
           MOVE "MINIMUM" TO NS-LABEL
           MOVE -9999 TO NS-HALF-C5 NS-PACK-EVEN
           MOVE -999999999 TO NS-FULL-C5
           MOVE -999999999999999999 TO NS-DOUBLE-C5 NS-ZONED-18
           MOVE -99999.99 TO NS-SCALED-C5
           MOVE -9999999999999999.99 TO NS-SCALED-BIN
           MOVE -16777216 TO NS-SINGLE
           MOVE -9007199254740992 TO NS-DOUBLE
           MOVE -9 TO NS-PACK-ONE
           MOVE -99999999999999999999999999999999999999 TO NS-PACK-38
           MOVE -.99999 TO NS-FRACTION
           MOVE 1 TO NS-UHALF-C5 NS-UFULL-BIN
           MOVE 0.01 TO NS-PACK-UEVEN
           PERFORM EMIT-RECORD.

      * Record 4: the smallest magnitudes and exact binary fractions.
       EDGE-SMALL.
           PERFORM CLEAR-RECORD
           MOVE 4 TO NS-ID
           MOVE "SMALL ÀÉÎÕÜ" TO NS-LABEL
           MOVE -1 TO NS-HALF-C5 NS-FULL-C5 NS-DOUBLE-C5 NS-PACK-EVEN
                      NS-PACK-ONE NS-ZONED-18 NS-PACK-38
           MOVE -0.01 TO NS-SCALED-C5 NS-SCALED-BIN
           MOVE 0.5 TO NS-SINGLE
           MOVE -0.000244140625 TO NS-DOUBLE
           MOVE .00001 TO NS-FRACTION
           PERFORM EMIT-RECORD.

      * Records 5-24: values computed from the record index WS-I.
       GENERATED.
           PERFORM CLEAR-RECORD
           IF FUNCTION MOD(WS-I, 2) = 0
               MOVE 1 TO WS-SIGN
           ELSE
               MOVE -1 TO WS-SIGN
           END-IF
           COMPUTE NS-ID = 100 + WS-I
           MOVE "GENERATED" TO NS-LABEL
           COMPUTE NS-HALF-C5 = WS-I * 431 - 4000
           COMPUTE NS-UHALF-C5 = WS-I * 487
           COMPUTE NS-FULL-C5 = WS-SIGN * WS-I * 45678901
           COMPUTE NS-DOUBLE-C5 = WS-SIGN * WS-I * 45678901234567890
           COMPUTE NS-SCALED-C5 = WS-I * 4567.89 - 50000
           COMPUTE NS-UFULL-BIN = WS-I * 49999999
           COMPUTE NS-SCALED-BIN =
               WS-SIGN * WS-I * 456789012345678.91
           COMPUTE NS-SINGLE = WS-I * 0.25 - 3
           COMPUTE NS-DOUBLE = WS-SIGN * WS-I * 1048576.125
           COMPUTE NS-PACK-EVEN = WS-I * 499 - 5000
           COMPUTE NS-PACK-ONE = FUNCTION MOD(WS-I, 10) * WS-SIGN
           COMPUTE NS-PACK-UEVEN = WS-I * 45678.91
           COMPUTE NS-PACK-38 = WS-SIGN * WS-I
               * 4567890123456789012345678901234567
           COMPUTE NS-ZONED-18 = WS-SIGN * WS-I * 45678901234567890
           COMPUTE NS-FRACTION = WS-I * 0.04321 - 0.5
           PERFORM EMIT-RECORD.

      * DISPLAY every field (native bytes), convert the text, WRITE.
       EMIT-RECORD.
           ADD 1 TO WS-REC-NO
           MOVE NS-SCALED-C5 TO WS-SCALED-C5-ED
           DISPLAY "REC|" WS-REC-NO
           DISPLAY "FLD|NS-ID|I|" NS-ID
           DISPLAY "FLD|NS-LABEL|X|" NS-LABEL
           DISPLAY "FLD|NS-HALF-C5|I|" NS-HALF-C5
           DISPLAY "FLD|NS-UHALF-C5|I|" NS-UHALF-C5
           DISPLAY "FLD|NS-FULL-C5|I|" NS-FULL-C5
           DISPLAY "FLD|NS-DOUBLE-C5|I|" NS-DOUBLE-C5
           DISPLAY "FLD|NS-SCALED-C5|D|" WS-SCALED-C5-ED
           DISPLAY "FLD|NS-UFULL-BIN|I|" NS-UFULL-BIN
           DISPLAY "FLD|NS-SCALED-BIN|D|" NS-SCALED-BIN
           DISPLAY "FLD|NS-SINGLE|E|" NS-SINGLE
           DISPLAY "FLD|NS-DOUBLE|F|" NS-DOUBLE
           DISPLAY "FLD|NS-PACK-EVEN|I|" NS-PACK-EVEN
           DISPLAY "FLD|NS-PACK-ONE|I|" NS-PACK-ONE
           DISPLAY "FLD|NS-PACK-UEVEN|D|" NS-PACK-UEVEN
           DISPLAY "FLD|NS-PACK-38|I|" NS-PACK-38
           DISPLAY "FLD|NS-ZONED-18|I|" NS-ZONED-18
           DISPLAY "FLD|NS-FRACTION|D|" NS-FRACTION
           DISPLAY "END|" WS-REC-NO
           INSPECT NS-ID(1:) CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT NS-LABEL CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT NS-ZONED-18(1:) CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT NS-FRACTION(1:) CONVERTING CONV-LATIN1 TO CONV-CP037
           WRITE NUMERIC-SAMPLE
           IF WS-FS NOT = "00"
               DISPLAY "WRITE FAILED " WS-FS UPON SYSERR
               STOP RUN RETURNING 1
           END-IF.
