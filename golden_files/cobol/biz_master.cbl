       IDENTIFICATION DIVISION.
       PROGRAM-ID. BIZ-MASTER.
      *----------------------------------------------------------------
      * Golden file writer: business master with three segment types
      * (E entity, O officer, F filing) selected by BZ-SEG-TYPE.
      * Compiled with -D GOLDEN-EBCDIC -fsign=EBCDIC -> biz_master.dat.
      * DISPLAY format as in tax_master.cbl; only the active segment's
      * fields are displayed. Source encoding: Latin-1.
      *----------------------------------------------------------------
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT BIZ-FILE ASSIGN TO WS-OUT-NAME
               ORGANIZATION IS SEQUENTIAL
               FILE STATUS IS WS-FS.
       DATA DIVISION.
       FILE SECTION.
       FD  BIZ-FILE.
       COPY "biz_master.cpy".
       WORKING-STORAGE SECTION.
       COPY "cp037tab.cpy".
       01  WS-OUT-NAME                PIC X(64) VALUE 'biz_master.dat'.
       01  WS-FS                      PIC XX.
       01  WS-BUSINESSES              PIC 9(4) VALUE 18.
       01  WS-B                       PIC 9(4).
       01  WS-S                       PIC 9(4).
       01  WS-REC                     PIC 9(4) VALUE 0.
       01  WS-J                       PIC 9.
       01  WS-OFFICERS                PIC 9.
       01  WS-FILINGS                 PIC 9.
       01  WS-NAME-VALUES.
           05  FILLER PIC X(35) VALUE 'ACME WIDGETS INC'.
           05  FILLER PIC X(35) VALUE 'CAFÉ DE LA PLAZA LLC'.
           05  FILLER PIC X(35) VALUE 'MÜLLER & SÖHNE GMBH'.
           05  FILLER PIC X(35) VALUE 'PEÑA HERMANOS S.A.'.
           05  FILLER PIC X(35)
               VALUE 'INTERNATIONAL BUSINESS CONSORTIUM X'.
           05  FILLER PIC X(35) VALUE 'STRAßENBAU AG'.
       01  WS-NAME-TABLE REDEFINES WS-NAME-VALUES.
           05  WS-NAME                PIC X(35) OCCURS 6 TIMES.
       01  WS-PERSON-VALUES.
           05  FILLER PIC X(30) VALUE 'JOSÉ ÁLVAREZ'.
           05  FILLER PIC X(30) VALUE 'BJÖRK GUÐMUNDSDÓTTIR'.
           05  FILLER PIC X(30) VALUE 'JANE Q PUBLIC'.
           05  FILLER PIC X(30) VALUE 'FRANÇOIS NOËL'.
       01  WS-PERSON-TABLE REDEFINES WS-PERSON-VALUES.
           05  WS-PERSON              PIC X(30) OCCURS 4 TIMES.
       01  WS-TITLE-VALUES.
           05  FILLER PIC X(15) VALUE 'PRESIDENT'.
           05  FILLER PIC X(15) VALUE 'GESCHÄFTSFÜHRER'.
           05  FILLER PIC X(15) VALUE 'TREASURER'.
       01  WS-TITLE-TABLE REDEFINES WS-TITLE-VALUES.
           05  WS-TITLE               PIC X(15) OCCURS 3 TIMES.

       PROCEDURE DIVISION.
       MAIN-LINE.
           OPEN OUTPUT BIZ-FILE
           IF WS-FS NOT = '00'
               DISPLAY 'ERR|open ' WS-FS
               STOP RUN
           END-IF
           PERFORM VARYING WS-B FROM 1 BY 1 UNTIL WS-B > WS-BUSINESSES
               PERFORM WRITE-ENTITY
               COMPUTE WS-OFFICERS = FUNCTION MOD(WS-B, 3) + 1
               PERFORM VARYING WS-S FROM 1 BY 1
                       UNTIL WS-S > WS-OFFICERS
                   PERFORM WRITE-OFFICER
               END-PERFORM
               COMPUTE WS-FILINGS = FUNCTION MOD(WS-B, 2) + 1
               PERFORM VARYING WS-S FROM 1 BY 1
                       UNTIL WS-S > WS-FILINGS
                   PERFORM WRITE-FILING
               END-PERFORM
           END-PERFORM
           CLOSE BIZ-FILE
           STOP RUN.

      * Common part of every segment: the record is blanked first.
       START-RECORD.
           ADD 1 TO WS-REC
           MOVE SPACES TO BIZ-MASTER
           >>IF GOLDEN-EBCDIC DEFINED
           INSPECT BIZ-MASTER CONVERTING CONV-LATIN1 TO CONV-CP037
           >>END-IF
           COMPUTE BZ-EIN = FUNCTION MOD(WS-B * 48611 + 10000000,
                                         1000000000)
           IF WS-B = 1
               MOVE 999999999 TO BZ-EIN
           END-IF
           COMPUTE BZ-UPDATE-DATE = 20240101
               + FUNCTION MOD(WS-REC, 12) * 100
               + FUNCTION MOD(WS-REC, 28).

       WRITE-ENTITY.
           PERFORM START-RECORD
           MOVE 'E' TO BZ-SEG-TYPE
           MOVE WS-NAME(FUNCTION MOD(WS-B, 6) + 1) TO BZ-LEGAL-NAME
           IF FUNCTION MOD(WS-B, 4) = 0
               MOVE SPACES TO BZ-DBA-NAME
           ELSE
               MOVE WS-NAME(FUNCTION MOD(WS-B + 2, 6) + 1)
                   TO BZ-DBA-NAME
           END-IF
           COMPUTE BZ-ENTITY-TYPE = FUNCTION MOD(WS-B * 7, 100)
           COMPUTE BZ-NAICS = FUNCTION MOD(WS-B * 111111, 1000000)
           COMPUTE BZ-EST-YEAR = 1900 + WS-B * 6
           COMPUTE BZ-EST-MMDD = FUNCTION MOD(WS-B, 12) * 100 + 101
           EVALUATE WS-B
               WHEN 1
                   MOVE 9999999 TO BZ-EMPLOYEES
                   MOVE 9999999999999.99 TO BZ-GROSS-RECEIPTS
               WHEN 2
                   MOVE 0 TO BZ-EMPLOYEES
                   MOVE -9999999999999.99 TO BZ-GROSS-RECEIPTS
               WHEN 3
                   MOVE 0 TO BZ-EMPLOYEES BZ-GROSS-RECEIPTS
               WHEN OTHER
                   COMPUTE BZ-EMPLOYEES = WS-B * WS-B * 977
                   COMPUTE BZ-GROSS-RECEIPTS =
                       (WS-B - 9) * 123456789.01
           END-EVALUATE
           DISPLAY 'REC|' WS-REC
           PERFORM SHOW-COMMON
           DISPLAY 'FLD|BZ-ENTITY-SEG.BZ-LEGAL-NAME|X|' BZ-LEGAL-NAME
           DISPLAY 'FLD|BZ-ENTITY-SEG.BZ-DBA-NAME|X|' BZ-DBA-NAME
           DISPLAY 'FLD|BZ-ENTITY-SEG.BZ-ENTITY-TYPE|I|'
               BZ-ENTITY-TYPE
           DISPLAY 'FLD|BZ-ENTITY-SEG.BZ-NAICS|I|' BZ-NAICS
           DISPLAY 'FLD|BZ-ENTITY-SEG.BZ-ESTABLISHED|I|'
               BZ-ESTABLISHED
           DISPLAY 'FLD|BZ-ENTITY-SEG.BZ-EST-PARTS.BZ-EST-YEAR|I|'
               BZ-EST-YEAR
           DISPLAY 'FLD|BZ-ENTITY-SEG.BZ-EST-PARTS.BZ-EST-MMDD|I|'
               BZ-EST-MMDD
           DISPLAY 'FLD|BZ-ENTITY-SEG.BZ-EMPLOYEES|I|' BZ-EMPLOYEES
           DISPLAY 'FLD|BZ-ENTITY-SEG.BZ-GROSS-RECEIPTS|D|'
               BZ-GROSS-RECEIPTS
           DISPLAY 'END|' WS-REC
           >>IF GOLDEN-EBCDIC DEFINED
           PERFORM COMMON-TO-CP037
           INSPECT BZ-LEGAL-NAME CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT BZ-DBA-NAME CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT BZ-ENTITY-TYPE CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT BZ-NAICS CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT BZ-ESTABLISHED CONVERTING CONV-LATIN1 TO CONV-CP037
           >>END-IF
           PERFORM WRITE-IT.

       WRITE-OFFICER.
           PERFORM START-RECORD
           MOVE 'O' TO BZ-SEG-TYPE
           COMPUTE BZ-OFF-SSN =
               FUNCTION MOD(WS-B * 7919 + WS-S * 104729, 1000000000)
           MOVE WS-PERSON(FUNCTION MOD(WS-B + WS-S, 4) + 1)
               TO BZ-OFF-NAME
           MOVE WS-TITLE(WS-S) TO BZ-OFF-TITLE
           COMPUTE BZ-OFF-SINCE = 19800101 + WS-B * 10000 + WS-S * 100
           EVALUATE TRUE
               WHEN WS-B = 1 AND WS-S = 1
                   MOVE 999.9999 TO BZ-OFF-SHARE-PCT
                   MOVE 999999999.99 TO BZ-OFF-SALARY
               WHEN WS-B = 1 AND WS-S = 2
                   MOVE -999.9999 TO BZ-OFF-SHARE-PCT
                   MOVE -999999999.99 TO BZ-OFF-SALARY
               WHEN OTHER
                   COMPUTE BZ-OFF-SHARE-PCT =
                       100 / (WS-S + 1) - WS-B * 0.0137
                   COMPUTE BZ-OFF-SALARY =
                       (WS-B * 3 - WS-S * 17) * 4321.09
           END-EVALUATE
           DISPLAY 'REC|' WS-REC
           PERFORM SHOW-COMMON
           DISPLAY 'FLD|BZ-OFFICER-SEG.BZ-OFF-SSN|I|' BZ-OFF-SSN
           DISPLAY 'FLD|BZ-OFFICER-SEG.BZ-OFF-NAME|X|' BZ-OFF-NAME
           DISPLAY 'FLD|BZ-OFFICER-SEG.BZ-OFF-TITLE|X|' BZ-OFF-TITLE
           DISPLAY 'FLD|BZ-OFFICER-SEG.BZ-OFF-SHARE-PCT|D|'
               BZ-OFF-SHARE-PCT
           DISPLAY 'FLD|BZ-OFFICER-SEG.BZ-OFF-SINCE|I|' BZ-OFF-SINCE
           DISPLAY 'FLD|BZ-OFFICER-SEG.BZ-OFF-SALARY|D|'
               BZ-OFF-SALARY
           DISPLAY 'END|' WS-REC
           >>IF GOLDEN-EBCDIC DEFINED
           PERFORM COMMON-TO-CP037
           INSPECT BZ-OFF-SSN CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT BZ-OFF-NAME CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT BZ-OFF-TITLE CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT BZ-OFF-SINCE CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT BZ-OFF-SALARY(1:)
               CONVERTING CONV-LATIN1 TO CONV-CP037
           >>END-IF
           PERFORM WRITE-IT.

       WRITE-FILING.
           PERFORM START-RECORD
           MOVE 'F' TO BZ-SEG-TYPE
           IF WS-S = 1
               MOVE '1120  ' TO BZ-FORM
           ELSE
               MOVE '941-X' TO BZ-FORM
           END-IF
           COMPUTE BZ-PERIOD = (2000 + WS-B) * 100 + WS-S * 3
           IF WS-B = 1
               MOVE 99999999999.99 TO BZ-TAX-DUE
           ELSE
               COMPUTE BZ-TAX-DUE = (WS-B - 6) * 555555.55 + WS-S
           END-IF
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 4
               COMPUTE BZ-PAYMENT(WS-J) =
                   (WS-B * 4 + WS-J - 30) * 1000.01
           END-PERFORM
           IF FUNCTION MOD(WS-B, 3) = 0
               MOVE SPACES TO BZ-PENALTY-CODE
               MOVE 'Ñ' TO BZ-EXT-FLAG
           ELSE
               MOVE 'P1' TO BZ-PENALTY-CODE
               MOVE 'Y' TO BZ-EXT-FLAG
           END-IF
           COMPUTE BZ-RATE = (WS-B - 7) * 0.0625 + WS-S
           COMPUTE BZ-SEQ-NO = (WS-B - 9) * 1000 - WS-S
           IF WS-B = 2
               MOVE -9999 TO BZ-SEQ-NO
               MOVE 0.00000095367431640625 TO BZ-RATE
           END-IF
           DISPLAY 'REC|' WS-REC
           PERFORM SHOW-COMMON
           DISPLAY 'FLD|BZ-FILING-SEG.BZ-FORM|X|' BZ-FORM
           DISPLAY 'FLD|BZ-FILING-SEG.BZ-PERIOD|I|' BZ-PERIOD
           DISPLAY 'FLD|BZ-FILING-SEG.BZ-TAX-DUE|D|' BZ-TAX-DUE
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 4
               DISPLAY 'FLD|BZ-FILING-SEG.BZ-PAYMENT(' WS-J ')|D|'
                   BZ-PAYMENT(WS-J)
           END-PERFORM
           DISPLAY 'FLD|BZ-FILING-SEG.BZ-PENALTY-CODE|X|'
               BZ-PENALTY-CODE
           DISPLAY 'FLD|BZ-FILING-SEG.BZ-EXT-FLAG|X|' BZ-EXT-FLAG
           DISPLAY 'FLD|BZ-FILING-SEG.BZ-RATE|F|' BZ-RATE
           DISPLAY 'FLD|BZ-FILING-SEG.BZ-SEQ-NO|I|' BZ-SEQ-NO
           DISPLAY 'END|' WS-REC
           >>IF GOLDEN-EBCDIC DEFINED
           PERFORM COMMON-TO-CP037
           INSPECT BZ-FORM CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT BZ-PERIOD CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT BZ-PENALTY-CODE CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT BZ-EXT-FLAG CONVERTING CONV-LATIN1 TO CONV-CP037
           >>END-IF
           PERFORM WRITE-IT.

       SHOW-COMMON.
           DISPLAY 'FLD|BZ-EIN|I|' BZ-EIN
           DISPLAY 'FLD|BZ-SEG-TYPE|X|' BZ-SEG-TYPE
           DISPLAY 'FLD|BZ-UPDATE-DATE|I|' BZ-UPDATE-DATE.

       COMMON-TO-CP037.
           INSPECT BZ-EIN CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT BZ-SEG-TYPE CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT BZ-UPDATE-DATE CONVERTING CONV-LATIN1 TO CONV-CP037.

       WRITE-IT.
           WRITE BIZ-MASTER
           IF WS-FS NOT = '00'
               DISPLAY 'ERR|write ' WS-FS
           END-IF.
