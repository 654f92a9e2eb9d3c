      *================================================================*
      * TXNMODULE - writes the transaction-module golden file (copybook*
      *  TXNMODULE.CPY): variable-length records whose length follows  *
      *  OCCURS 0 TO 50 DEPENDING ON TM-TXN-COUNT, cp037 text, signs   *
      *  C/D (-fsign=EBCDIC), big-endian binary. GnuCOBOL puts a       *
      *  4-byte prefix before each record (see golden_files/README.md).*
      *  This source is Latin-1: an accented letter is one byte.       *
      *================================================================*
       IDENTIFICATION DIVISION.
       PROGRAM-ID. TXNMODULE.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT MODULE-FILE ASSIGN TO "txnmodule_ebcdic.dat"
               ORGANIZATION IS SEQUENTIAL
               FILE STATUS IS WS-FS.
       DATA DIVISION.
       FILE SECTION.
       FD  MODULE-FILE
           RECORD IS VARYING IN SIZE FROM 19 TO 1019 CHARACTERS.
       COPY "txnmodule.cpy".
       WORKING-STORAGE SECTION.
       01  WS-FS                       PIC XX.
       01  WS-REC-NO                   PIC 9(4)  VALUE 0.
       01  WS-I                        PIC 9(4).
       01  WS-J                        PIC 99.
       01  WS-K                        PIC 9(4).
       01  WS-MODULE-TYPES             PIC X(10) VALUE "IMBMEP  ั้".
       01  WS-CYCLES.
           05  FILLER PIC X(3) VALUE "A01".
           05  FILLER PIC X(3) VALUE "B2 ".
           05  FILLER PIC X(3) VALUE "   ".
           05  FILLER PIC X(3) VALUE "ษTษ".
           05  FILLER PIC X(3) VALUE " Z9".
       01  FILLER REDEFINES WS-CYCLES.
           05  WS-CYCLE                PIC X(3) OCCURS 5.
       COPY "cp037tab.cpy".
       PROCEDURE DIVISION.
       MAIN-PARA.
           OPEN OUTPUT MODULE-FILE
           PERFORM EDGE-EMPTY
           PERFORM EDGE-FULL
           PERFORM GENERATED VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 28
           CLOSE MODULE-FILE
           STOP RUN.

       CLEAR-RECORD.
           MOVE 50 TO TM-TXN-COUNT
           MOVE SPACES TO TXN-MODULE
           INITIALIZE TXN-MODULE.

      * Record 1: no transactions (the 19-byte minimum record).
       EDGE-EMPTY.
           PERFORM CLEAR-RECORD
           MOVE 0 TO TM-TXN-COUNT
           MOVE 999999999 TO TM-TIN
           MOVE 202412 TO TM-TAX-PERIOD
           MOVE SPACES TO TM-MODULE-TYPE
           PERFORM EMIT-RECORD.

      * Record 2: the maximum of 50 transactions, with the maximum,
      *  the minimum and zero amounts, codes and dates.
       EDGE-FULL.
           PERFORM CLEAR-RECORD
           MOVE 50 TO TM-TXN-COUNT
           MOVE 0 TO TM-TIN
           MOVE 0 TO TM-TAX-PERIOD
           MOVE "ั้" TO TM-MODULE-TYPE
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 50
               COMPUTE TM-TXN-CODE(WS-J) = WS-J * 19
               COMPUTE TM-TXN-DATE(WS-J) = 20240100 + WS-J
               COMPUTE TM-TXN-AMOUNT(WS-J) = (WS-J - 25) * 7777.77
               COMPUTE WS-K = FUNCTION MOD(WS-J, 5) + 1
               MOVE WS-CYCLE(WS-K) TO TM-TXN-CYCLE(WS-J)
           END-PERFORM
           MOVE 999 TO TM-TXN-CODE(1)
           MOVE 99999999 TO TM-TXN-DATE(1)
           MOVE 999999999.99 TO TM-TXN-AMOUNT(1)
           MOVE 0 TO TM-TXN-CODE(2) TM-TXN-DATE(2)
           MOVE -999999999.99 TO TM-TXN-AMOUNT(2)
           MOVE 0 TO TM-TXN-AMOUNT(3)
           MOVE -0.01 TO TM-TXN-AMOUNT(4)
           MOVE 0.01 TO TM-TXN-AMOUNT(50)
           PERFORM EMIT-RECORD.

      * Records 3-30: counts 13, 26, 39, 1, 14, ... (WS-I * 13 mod 51).
       GENERATED.
           PERFORM CLEAR-RECORD
           COMPUTE TM-TXN-COUNT = FUNCTION MOD(WS-I * 13, 51)
           COMPUTE TM-TIN = 100000000 + WS-I * 31415926
           COMPUTE TM-TAX-PERIOD =
               (2000 + WS-I) * 100 + FUNCTION MOD(WS-I, 4) * 3 + 3
           COMPUTE WS-K = FUNCTION MOD(WS-I, 5) * 2 + 1
           MOVE WS-MODULE-TYPES(WS-K:2) TO TM-MODULE-TYPE
           PERFORM VARYING WS-J FROM 1 BY 1
                   UNTIL WS-J > TM-TXN-COUNT
               COMPUTE TM-TXN-CODE(WS-J) =
                   FUNCTION MOD(WS-I * WS-J * 17, 1000)
               COMPUTE TM-TXN-DATE(WS-J) = (2000 + WS-I) * 10000
                   + (FUNCTION MOD(WS-J, 12) + 1) * 100
                   + FUNCTION MOD(WS-I + WS-J, 28) + 1
               COMPUTE TM-TXN-AMOUNT(WS-J) =
                   (WS-I * 1000 + WS-J) * 12.34
               IF FUNCTION MOD(WS-I + WS-J, 3) = 0
                   COMPUTE TM-TXN-AMOUNT(WS-J) =
                       0 - TM-TXN-AMOUNT(WS-J)
               END-IF
               COMPUTE WS-K = FUNCTION MOD(WS-I + WS-J, 5) + 1
               MOVE WS-CYCLE(WS-K) TO TM-TXN-CYCLE(WS-J)
           END-PERFORM
           PERFORM EMIT-RECORD.

      * DISPLAY every field (native bytes), convert the text, WRITE.
       EMIT-RECORD.
           ADD 1 TO WS-REC-NO
           DISPLAY "REC|" WS-REC-NO
           DISPLAY "FLD|TM-HEADER.TM-TIN|I|" TM-TIN
           DISPLAY "FLD|TM-HEADER.TM-TAX-PERIOD|I|" TM-TAX-PERIOD
           DISPLAY "FLD|TM-HEADER.TM-MODULE-TYPE|X|" TM-MODULE-TYPE
           DISPLAY "FLD|TM-TXN-COUNT|I|" TM-TXN-COUNT
           DISPLAY "LST|TM-TXN|" TM-TXN-COUNT
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > TM-TXN-COUNT
               DISPLAY "FLD|TM-TXN(" WS-J ").TM-TXN-CODE|I|"
                   TM-TXN-CODE(WS-J)
               DISPLAY "FLD|TM-TXN(" WS-J ").TM-TXN-DATE|I|"
                   TM-TXN-DATE(WS-J)
               DISPLAY "FLD|TM-TXN(" WS-J ").TM-TXN-AMOUNT|D|"
                   TM-TXN-AMOUNT(WS-J)
               DISPLAY "FLD|TM-TXN(" WS-J ").TM-TXN-CYCLE|X|"
                   TM-TXN-CYCLE(WS-J)
           END-PERFORM
           DISPLAY "END|" WS-REC-NO
           PERFORM TO-CP037
           WRITE TXN-MODULE
           IF WS-FS NOT = "00"
               DISPLAY "WRITE FAILED " WS-FS UPON SYSERR
               STOP RUN RETURNING 1
           END-IF.

      * DISPLAY-usage bytes from Latin-1 to cp037 (numeric items are
      *  reference-modified so INSPECT treats them as plain bytes).
       TO-CP037.
           INSPECT TM-HEADER CONVERTING CONV-LATIN1 TO CONV-CP037
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > TM-TXN-COUNT
               INSPECT TM-TXN-CODE(WS-J)(1:)
                   CONVERTING CONV-LATIN1 TO CONV-CP037
               INSPECT TM-TXN-DATE(WS-J)(1:)
                   CONVERTING CONV-LATIN1 TO CONV-CP037
               INSPECT TM-TXN-CYCLE(WS-J)
                   CONVERTING CONV-LATIN1 TO CONV-CP037
           END-PERFORM.
