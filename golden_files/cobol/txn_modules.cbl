       IDENTIFICATION DIVISION.
       PROGRAM-ID. TXN-MODULES.
      *----------------------------------------------------------------
      * Golden file writer: transaction modules, variable-length
      * records whose length follows TX-COUNT (OCCURS DEPENDING ON).
      * Compiled with -D GOLDEN-EBCDIC -fsign=EBCDIC -> txn_modules.dat.
      * DISPLAY format as in tax_master.cbl, plus LST|<path>|<count>
      * giving the number of occurrences that exist.
      * Source encoding: Latin-1.
      *----------------------------------------------------------------
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT TXN-FILE ASSIGN TO WS-OUT-NAME
               ORGANIZATION IS SEQUENTIAL
               FILE STATUS IS WS-FS.
       DATA DIVISION.
       FILE SECTION.
       FD  TXN-FILE
           RECORD IS VARYING IN SIZE FROM 46 TO 826 CHARACTERS
           DEPENDING ON WS-REC-LEN.
       COPY "txn_modules.cpy".
       WORKING-STORAGE SECTION.
       COPY "cp037tab.cpy".
       01  WS-OUT-NAME                PIC X(64) VALUE 'txn_modules.dat'.
       01  WS-FS                      PIC XX.
       01  WS-REC-LEN                 PIC 9(4) COMP.
       01  WS-COUNT                   PIC 9(4) VALUE 40.
       01  WS-I                       PIC 9(4).
       01  WS-J                       PIC 99.
       01  WS-K                       PIC 9.
       01  WS-REMARK-VALUES.
           05  FILLER PIC X(12) VALUE 'ABATEMENT'.
           05  FILLER PIC X(12) VALUE 'RÉVISÉ'.
           05  FILLER PIC X(12) VALUE 'ÜBERWEISUNG'.
           05  FILLER PIC X(12) VALUE 'PAGO AÑO'.
           05  FILLER PIC X(12) VALUE SPACES.
       01  WS-REMARK-TABLE REDEFINES WS-REMARK-VALUES.
           05  WS-REMARK              PIC X(12) OCCURS 5 TIMES.
       01  WS-FLAGS                   PIC X(6) VALUE 'YNßé *'.
       01  WS-FLAG-TABLE REDEFINES WS-FLAGS.
           05  WS-FLAG                PIC X OCCURS 6 TIMES.

       PROCEDURE DIVISION.
       MAIN-LINE.
           OPEN OUTPUT TXN-FILE
           IF WS-FS NOT = '00'
               DISPLAY 'ERR|open ' WS-FS
               STOP RUN
           END-IF
           PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > WS-COUNT
               MOVE SPACES TO TXN-MODULE
               EVALUATE WS-I
                   WHEN 1 MOVE 0 TO TX-COUNT
                   WHEN 2 MOVE 20 TO TX-COUNT
                   WHEN 3 MOVE 1 TO TX-COUNT
                   WHEN OTHER
                       COMPUTE TX-COUNT = FUNCTION MOD(WS-I * 7, 21)
               END-EVALUATE
               PERFORM BUILD-RECORD
               PERFORM SHOW-RECORD
               >>IF GOLDEN-EBCDIC DEFINED
               PERFORM TO-CP037
               >>END-IF
               MOVE FUNCTION LENGTH(TXN-MODULE) TO WS-REC-LEN
               WRITE TXN-MODULE
               IF WS-FS NOT = '00'
                   DISPLAY 'ERR|write ' WS-FS
               END-IF
           END-PERFORM
           CLOSE TXN-FILE
           STOP RUN.

       BUILD-RECORD.
           COMPUTE TX-TIN = FUNCTION MOD(WS-I * 7654321, 1000000000)
           COMPUTE TX-MFT-CODE = FUNCTION MOD(WS-I * 3, 100)
           COMPUTE TX-TAX-PERIOD = (2000 + FUNCTION MOD(WS-I, 26)) * 100
                                   + FUNCTION MOD(WS-I, 12) + 1
           EVALUATE WS-I
               WHEN 1 MOVE 99999999999.99 TO TX-MODULE-BAL
               WHEN 2 MOVE -99999999999.99 TO TX-MODULE-BAL
               WHEN 3 MOVE ZERO TO TX-MODULE-BAL
               WHEN OTHER
                   COMPUTE TX-MODULE-BAL = (WS-I - 20) * 7777777.77
           END-EVALUATE
           IF WS-I = 2
               MOVE 999999 TO TX-CYCLE
           ELSE
               COMPUTE TX-CYCLE = 200001 + WS-I * 1301
           END-IF
           MOVE WS-REMARK(FUNCTION MOD(WS-I, 5) + 1) TO TX-REMARK
           COMPUTE TX-STATUS = FUNCTION MOD(WS-I * 41, 1999) - 999
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > TX-COUNT
               COMPUTE TX-CODE(WS-J) =
                   FUNCTION MOD(WS-I * WS-J * 13, 1000)
               COMPUTE TX-DATE(WS-J) =
                   (2000 + FUNCTION MOD(WS-I + WS-J, 26)) * 10000
                   + (FUNCTION MOD(WS-J, 12) + 1) * 100
                   + FUNCTION MOD(WS-I * WS-J, 28) + 1
               IF WS-I = 2
                   IF FUNCTION MOD(WS-J, 2) = 0
                       MOVE 999999999.99 TO TX-AMOUNT(WS-J)
                       MOVE 99999.9 TO TX-ADJ(WS-J)
                   ELSE
                       MOVE -999999999.99 TO TX-AMOUNT(WS-J)
                       MOVE -99999.9 TO TX-ADJ(WS-J)
                   END-IF
               ELSE
                   COMPUTE TX-AMOUNT(WS-J) =
                       (WS-J * 5 - WS-I) * 12345.67
                   COMPUTE TX-ADJ(WS-J) = (WS-I - WS-J * 3) * 10.1
               END-IF
               MOVE SPACES TO TX-DLN(WS-J)
               STRING '2821' DELIMITED BY SIZE
                      WS-I DELIMITED BY SIZE
                      '-' DELIMITED BY SIZE
                      WS-J DELIMITED BY SIZE
                   INTO TX-DLN(WS-J)
               END-STRING
               PERFORM VARYING WS-K FROM 1 BY 1 UNTIL WS-K > 2
                   MOVE WS-FLAG(FUNCTION MOD(WS-I + WS-J + WS-K, 6) + 1)
                       TO TX-FLAG(WS-J, WS-K)
               END-PERFORM
           END-PERFORM.

       SHOW-RECORD.
           DISPLAY 'REC|' WS-I
           DISPLAY 'FLD|TX-TIN|I|' TX-TIN
           DISPLAY 'FLD|TX-MFT-CODE|I|' TX-MFT-CODE
           DISPLAY 'FLD|TX-TAX-PERIOD|I|' TX-TAX-PERIOD
           DISPLAY 'FLD|TX-MODULE-BAL|D|' TX-MODULE-BAL
           DISPLAY 'FLD|TX-CYCLE|I|' TX-CYCLE
           DISPLAY 'FLD|TX-REMARK|X|' TX-REMARK
           DISPLAY 'FLD|TX-STATUS|I|' TX-STATUS
           DISPLAY 'FLD|TX-COUNT|I|' TX-COUNT
           DISPLAY 'LST|TX-ENTRY|' TX-COUNT
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > TX-COUNT
               DISPLAY 'FLD|TX-ENTRY(' WS-J ').TX-CODE|I|'
                   TX-CODE(WS-J)
               DISPLAY 'FLD|TX-ENTRY(' WS-J ').TX-DATE|I|'
                   TX-DATE(WS-J)
               DISPLAY 'FLD|TX-ENTRY(' WS-J ').TX-AMOUNT|D|'
                   TX-AMOUNT(WS-J)
               DISPLAY 'FLD|TX-ENTRY(' WS-J ').TX-DLN|X|'
                   TX-DLN(WS-J)
               DISPLAY 'FLD|TX-ENTRY(' WS-J ').TX-ADJ|D|'
                   TX-ADJ(WS-J)
               PERFORM VARYING WS-K FROM 1 BY 1 UNTIL WS-K > 2
                   DISPLAY 'FLD|TX-ENTRY(' WS-J ').TX-FLAG(' WS-K
                       ')|X|' TX-FLAG(WS-J, WS-K)
               END-PERFORM
           END-PERFORM
           DISPLAY 'END|' WS-I.

      * Latin-1 -> cp037 for every DISPLAY-usage field (signed ones
      * reference-modified so INSPECT leaves GnuCOBOL's sign handling
      * out, see tax_master.cbl).
       TO-CP037.
           INSPECT TX-TIN CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TX-MFT-CODE CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TX-TAX-PERIOD CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TX-REMARK CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TX-STATUS(1:) CONVERTING CONV-LATIN1 TO CONV-CP037
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > TX-COUNT
               INSPECT TX-CODE(WS-J)
                   CONVERTING CONV-LATIN1 TO CONV-CP037
               INSPECT TX-DATE(WS-J)
                   CONVERTING CONV-LATIN1 TO CONV-CP037
               INSPECT TX-DLN(WS-J) CONVERTING CONV-LATIN1 TO CONV-CP037
               INSPECT TX-ADJ(WS-J)(1:)
                   CONVERTING CONV-LATIN1 TO CONV-CP037
               PERFORM VARYING WS-K FROM 1 BY 1 UNTIL WS-K > 2
                   INSPECT TX-FLAG(WS-J, WS-K)
                       CONVERTING CONV-LATIN1 TO CONV-CP037
               END-PERFORM
           END-PERFORM.
