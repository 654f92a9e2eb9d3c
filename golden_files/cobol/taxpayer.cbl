      *================================================================*
      * TAXPAYER - writes the individual taxpayer master golden file   *
      *  (copybook TAXPAYER.CPY) and DISPLAYs every field of every     *
      *  record before the text is converted to code page 037.         *
      *  Compiled twice (flags in taxpayer_ebcdic/_ascii.json):       *
      *   -D GOLDEN-EBCDIC -fsign=EBCDIC, big-endian binary ->         *
      *      taxpayer_ebcdic.dat (cp037)                               *
      *   -fsign=ASCII, native (little-endian) binary ->               *
      *      taxpayer_ascii.dat (Latin-1)                              *
      *  This source is Latin-1: an accented letter is one byte.       *
      *================================================================*
       IDENTIFICATION DIVISION.
       PROGRAM-ID. TAXPAYER.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT MASTER-FILE ASSIGN TO WS-OUT-NAME
               ORGANIZATION IS SEQUENTIAL
               FILE STATUS IS WS-FS.
       DATA DIVISION.
       FILE SECTION.
       FD  MASTER-FILE.
       COPY "taxpayer.cpy".
       WORKING-STORAGE SECTION.
       01  WS-OUT-NAME                 PIC X(40).
       01  WS-FS                       PIC XX.
       01  WS-REC-NO                   PIC 9(4)  VALUE 0.
       01  WS-I                        PIC 9(4).
       01  WS-J                        PIC 9.
       01  WS-K                        PIC 9(4).
       01  WS-SIGN                     PIC S9    VALUE 1.
       01  WS-LAST-NAMES.
           05  FILLER PIC X(20) VALUE "MÜLLER".
           05  FILLER PIC X(20) VALUE "NÚÑEZ DE LA PEÑA".
           05  FILLER PIC X(20) VALUE "O'BRIEN-SMITH".
           05  FILLER PIC X(20) VALUE "ÅNGSTRÖM".
           05  FILLER PIC X(20) VALUE "JOHNSON".
           05  FILLER PIC X(20) VALUE "DUBOIS-LÉVÊQUE".
           05  FILLER PIC X(20) VALUE "GARCÍA".
           05  FILLER PIC X(20) VALUE "WASHINGTON-JEFFERSON".
           05  FILLER PIC X(20) VALUE "ØSTERGÅRD".
           05  FILLER PIC X(20) VALUE "LEE".
       01  FILLER REDEFINES WS-LAST-NAMES.
           05  WS-LAST                 PIC X(20) OCCURS 10.
       01  WS-FIRST-NAMES.
           05  FILLER PIC X(15) VALUE "JOSÉ".
           05  FILLER PIC X(15) VALUE "ÄNNE-MARIE".
           05  FILLER PIC X(15) VALUE "FRANÇOIS".
           05  FILLER PIC X(15) VALUE "ZOË".
           05  FILLER PIC X(15) VALUE "WILLIAM".
           05  FILLER PIC X(15) VALUE "BJÖRN".
           05  FILLER PIC X(15) VALUE "MARÍA JOSÉ".
           05  FILLER PIC X(15) VALUE "JÜRGEN".
       01  FILLER REDEFINES WS-FIRST-NAMES.
           05  WS-FIRST                PIC X(15) OCCURS 8.
       01  WS-STREETS.
           05  FILLER PIC X(30) VALUE "1600 PENNSYLVANIA AVE NW".
           05  FILLER PIC X(30) VALUE "12 HAUPTSTRAßE".
           05  FILLER PIC X(30) VALUE "  7 LEADING SPACES LANE".
           05  FILLER PIC X(30) VALUE "PO BOX 4417".
           05  FILLER PIC X(30) VALUE "221B BAKER ST, APT #3 (REAR)".
           05  FILLER PIC X(30) VALUE "9 RUE DE L'ÉGLISE".
       01  FILLER REDEFINES WS-STREETS.
           05  WS-STREET               PIC X(30) OCCURS 6.
       01  WS-CITIES.
           05  FILLER PIC X(22) VALUE "WASHINGTON          DC".
           05  FILLER PIC X(22) VALUE "MÜNCHEN             BY".
           05  FILLER PIC X(22) VALUE "SAN JOSÉ            CA".
           05  FILLER PIC X(22) VALUE "OGDEN               UT".
           05  FILLER PIC X(22) VALUE "MONTRÉAL            QC".
           05  FILLER PIC X(22) VALUE "KANSAS CITY         MO".
       01  FILLER REDEFINES WS-CITIES.
           05  WS-CITY-STATE           OCCURS 6.
               10  WS-CITY             PIC X(20).
               10  WS-STATE            PIC XX.
       01  WS-DEP-NAMES.
           05  FILLER PIC X(12) VALUE "LÉA".
           05  FILLER PIC X(12) VALUE "NOAH".
           05  FILLER PIC X(12) VALUE "SØREN".
       01  FILLER REDEFINES WS-DEP-NAMES.
           05  WS-DEP                  PIC X(12) OCCURS 3.
       01  WS-ALPHABET                 PIC X(27)
                                VALUE "ABCDEFGHIJKLMNOPQRSTUVWXYZ ".
       COPY "cp037tab.cpy".
       PROCEDURE DIVISION.
       MAIN-PARA.
       >>IF GOLDEN-EBCDIC IS DEFINED
           MOVE "taxpayer_ebcdic.dat" TO WS-OUT-NAME
       >>ELSE
           MOVE "taxpayer_ascii.dat" TO WS-OUT-NAME
       >>END-IF
           OPEN OUTPUT MASTER-FILE
           PERFORM EDGE-ZERO
           PERFORM EDGE-MAX
           PERFORM EDGE-MIN
           PERFORM EDGE-ACCENTS
           PERFORM EDGE-SMALL
           PERFORM GENERATED VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 35
           CLOSE MASTER-FILE
           STOP RUN.

       CLEAR-RECORD.
           MOVE SPACES TO TAXPAYER-MASTER
           INITIALIZE TAXPAYER-MASTER.

      * Record 1: every number zero, every text all spaces.
       EDGE-ZERO.
           PERFORM CLEAR-RECORD
           SET TP-NO-STATUS TO TRUE
           PERFORM EMIT-RECORD.

      * Record 2: the maximum of every picture.
       EDGE-MAX.
           PERFORM CLEAR-RECORD
           MOVE 999999999 TO TP-TIN
           MOVE "ZZZZ" TO TP-NAME-CONTROL
           MOVE ALL "Z" TO TP-LAST-NAME TP-FIRST-NAME TP-MIDDLE-INIT
           MOVE ALL "9" TO TP-STREET
           MOVE ALL "Y" TO TP-CITY
           MOVE "WY" TO TP-STATE
           MOVE 99999 TO TP-ZIP5
           MOVE 9999 TO TP-ZIP4
           SET TP-QUALIFYING-SURVIVOR TO TRUE
           MOVE 9999 TO TP-TAX-YEAR
           MOVE 99999999999.99 TO TP-BALANCE-DUE
           MOVE 999999999.99 TO TP-ACCRUED-PENALTY
           MOVE 99999999999999999999999999999.99
             TO TP-LIFETIME-ASSESSED
           MOVE 9999999.99 TO TP-REFUND-HELD
           MOVE 9999 TO TP-RETURN-COUNT TP-NOTICE-COUNT
           MOVE 999999999 TO TP-LETTER-COUNT
           MOVE 999999999999999999 TO TP-PAYMENT-SEQ
           MOVE 9999999.99 TO TP-ADJUSTMENT-AMT TP-INTEREST-AMT
                              TP-OFFSET-AMT
           MOVE 99999.99 TO TP-CREDIT-AMT
           MOVE 999999999999999999 TO TP-DOC-LOCATOR
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 4
               MOVE 9999999.99 TO TP-QTR-PAYMENT(WS-J)
           END-PERFORM
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 3
               MOVE ALL "ÿ" TO TP-DEP-NAME(WS-J)
               MOVE 999999999 TO TP-DEP-SSN(WS-J)
               MOVE 99999.99 TO TP-DEP-CREDIT(WS-J)
           END-PERFORM
           MOVE 99991231 TO TP-LAST-UPDATE
           SET TP-CLOSED TO TRUE
           PERFORM EMIT-RECORD.

      * Record 3: the minimum (most negative) of every signed picture.
       EDGE-MIN.
           PERFORM CLEAR-RECORD
           MOVE 1 TO TP-TIN
           MOVE "A" TO TP-NAME-CONTROL
           MOVE "A" TO TP-LAST-NAME
           MOVE "B" TO TP-FIRST-NAME
           MOVE 1 TO TP-ZIP5 TP-ZIP4
           SET TP-SINGLE TO TRUE
           MOVE 1 TO TP-TAX-YEAR
           MOVE -99999999999.99 TO TP-BALANCE-DUE
           MOVE -999999999.99 TO TP-ACCRUED-PENALTY
           MOVE -99999999999999999999999999999.99
             TO TP-LIFETIME-ASSESSED
           MOVE 0.01 TO TP-REFUND-HELD
           MOVE -9999 TO TP-RETURN-COUNT
           MOVE 1 TO TP-NOTICE-COUNT
           MOVE -999999999 TO TP-LETTER-COUNT
           MOVE -999999999999999999 TO TP-PAYMENT-SEQ
           MOVE -9999999.99 TO TP-ADJUSTMENT-AMT TP-INTEREST-AMT
                               TP-OFFSET-AMT
           MOVE -99999.99 TO TP-CREDIT-AMT
           MOVE 1 TO TP-DOC-LOCATOR
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 4
               MOVE -9999999.99 TO TP-QTR-PAYMENT(WS-J)
           END-PERFORM
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 3
               MOVE -99999.99 TO TP-DEP-CREDIT(WS-J)
           END-PERFORM
           MOVE 00010101 TO TP-LAST-UPDATE
           SET TP-ACTIVE TO TRUE
           PERFORM EMIT-RECORD.

      * Record 4: accented letters in every text field that holds one.
       EDGE-ACCENTS.
           PERFORM CLEAR-RECORD
           MOVE 123456789 TO TP-TIN
           MOVE "MÜLL" TO TP-NAME-CONTROL
           MOVE "ÄÖÜäöüß ÉÈÊËéèêë" TO TP-LAST-NAME
           MOVE "ÑñÇçÅåØøÆæ" TO TP-FIRST-NAME
           MOVE "É" TO TP-MIDDLE-INIT
           MOVE "ÀÁÂÃ àáâã ÌÍÎÏ ìíîï ÒÓÔÕ òóôõ" TO TP-STREET
           MOVE "ÙÚÛ ùúû ÿ Ý ý ¿¡ §" TO TP-CITY
           MOVE "ÐÞ" TO TP-STATE
           MOVE 80331 TO TP-ZIP5
           SET TP-MARRIED-JOINT TO TRUE
           MOVE 2024 TO TP-TAX-YEAR
           MOVE -1234.5 TO TP-BALANCE-DUE
           MOVE 20240415 TO TP-LAST-UPDATE
           MOVE "Æ" TO TP-DEP-NAME(1)
           MOVE "ð þ µ ¶ © ®" TO TP-DEP-NAME(2)
           MOVE "½ ¼ ¾ ± ×" TO TP-DEP-NAME(3)
           SET TP-ACTIVE TO TRUE
           PERFORM EMIT-RECORD.

      * Record 5: the smallest non-zero magnitudes, and a zoned -0
      *  (GnuCOBOL keeps the negative sign of a MOVE -0 to zoned).
       EDGE-SMALL.
           PERFORM CLEAR-RECORD
           MOVE 5 TO TP-TIN
           MOVE -0.01 TO TP-BALANCE-DUE TP-ACCRUED-PENALTY
                         TP-LIFETIME-ASSESSED TP-CREDIT-AMT
                         TP-INTEREST-AMT TP-OFFSET-AMT
           MOVE -1 TO TP-RETURN-COUNT TP-LETTER-COUNT TP-PAYMENT-SEQ
           MOVE -0 TO TP-ADJUSTMENT-AMT
           MOVE 0.01 TO TP-QTR-PAYMENT(1) TP-DEP-CREDIT(2)
           MOVE -0.01 TO TP-QTR-PAYMENT(4) TP-DEP-CREDIT(3)
           SET TP-HEAD-OF-HOUSEHOLD TO TRUE
           MOVE 1999 TO TP-TAX-YEAR
           MOVE 19991231 TO TP-LAST-UPDATE
           SET TP-CLOSED TO TRUE
           PERFORM EMIT-RECORD.

      * Records 6-40: values computed from the record index WS-I.
       GENERATED.
           PERFORM CLEAR-RECORD
           IF FUNCTION MOD(WS-I, 2) = 0
               MOVE 1 TO WS-SIGN
           ELSE
               MOVE -1 TO WS-SIGN
           END-IF
           COMPUTE TP-TIN = 100000000 + WS-I * 21987653
           COMPUTE WS-K = FUNCTION MOD(WS-I, 10) + 1
           MOVE WS-LAST(WS-K) TO TP-LAST-NAME
           MOVE WS-LAST(WS-K)(1:4) TO TP-NAME-CONTROL
           COMPUTE WS-K = FUNCTION MOD(WS-I, 8) + 1
           MOVE WS-FIRST(WS-K) TO TP-FIRST-NAME
           COMPUTE WS-K = FUNCTION MOD(WS-I, 27) + 1
           MOVE WS-ALPHABET(WS-K:1) TO TP-MIDDLE-INIT
           COMPUTE WS-K = FUNCTION MOD(WS-I, 6) + 1
           MOVE WS-STREET(WS-K) TO TP-STREET
           COMPUTE WS-K = FUNCTION MOD(WS-I * 5, 6) + 1
           MOVE WS-CITY(WS-K) TO TP-CITY
           MOVE WS-STATE(WS-K) TO TP-STATE
           COMPUTE TP-ZIP5 = 10000 + WS-I * 2311
           COMPUTE TP-ZIP4 = FUNCTION MOD(WS-I * 37, 10000)
           COMPUTE TP-FILING-STATUS = FUNCTION MOD(WS-I, 5) + 1
           COMPUTE TP-TAX-YEAR = 2000 + FUNCTION MOD(WS-I, 25)
           COMPUTE TP-BALANCE-DUE =
               WS-I * WS-I * 98765.43 - 12345678.9
           COMPUTE TP-ACCRUED-PENALTY = WS-SIGN * WS-I * 1234.56
           COMPUTE TP-LIFETIME-ASSESSED =
               WS-SIGN * WS-I * 12345678901234567890.12
           COMPUTE TP-REFUND-HELD = WS-I * 4321.09
           COMPUTE TP-RETURN-COUNT = WS-I - 17
           COMPUTE TP-NOTICE-COUNT = WS-I * 3
           COMPUTE TP-LETTER-COUNT = WS-SIGN * WS-I * 54321
           COMPUTE TP-PAYMENT-SEQ =
               WS-SIGN * WS-I * 26315789473684210
           COMPUTE TP-ADJUSTMENT-AMT = WS-I * 98765.43 - 1000000
           COMPUTE TP-CREDIT-AMT = (WS-I - 18) * 1234.5
           COMPUTE TP-INTEREST-AMT = WS-SIGN * WS-I * 54321.99
           COMPUTE TP-OFFSET-AMT = (20 - WS-I) * 3333.33
           COMPUTE TP-DOC-LOCATOR = WS-I * 28571428571428571
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 4
               COMPUTE TP-QTR-PAYMENT(WS-J) =
                   WS-I * 1000 + WS-J * 250.25
               IF WS-J = 3
                   COMPUTE TP-QTR-PAYMENT(WS-J) =
                       0 - TP-QTR-PAYMENT(WS-J)
               END-IF
           END-PERFORM
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 3
               IF WS-J <= FUNCTION MOD(WS-I, 4)
                   MOVE WS-DEP(WS-J) TO TP-DEP-NAME(WS-J)
                   COMPUTE TP-DEP-SSN(WS-J) =
                       400000000 + WS-I * 1000 + WS-J
               END-IF
               COMPUTE TP-DEP-CREDIT(WS-J) = WS-J * 500.5 - WS-I
           END-PERFORM
           COMPUTE TP-LAST-UPDATE =
               (2000 + FUNCTION MOD(WS-I, 25)) * 10000
               + (FUNCTION MOD(WS-I, 12) + 1) * 100
               + FUNCTION MOD(WS-I, 28) + 1
           EVALUATE FUNCTION MOD(WS-I, 3)
               WHEN 0 SET TP-ACTIVE TO TRUE
               WHEN 1 SET TP-CLOSED TO TRUE
               WHEN OTHER SET TP-NO-STATUS TO TRUE
           END-EVALUATE
           PERFORM EMIT-RECORD.

      * DISPLAY every field (native bytes), convert the text, WRITE.
       EMIT-RECORD.
           ADD 1 TO WS-REC-NO
           DISPLAY "REC|" WS-REC-NO
           DISPLAY "FLD|TP-TIN|I|" TP-TIN
           DISPLAY "FLD|TP-NAME-CONTROL|X|" TP-NAME-CONTROL
           DISPLAY "FLD|TP-NAME.TP-LAST-NAME|X|" TP-LAST-NAME
           DISPLAY "FLD|TP-NAME.TP-FIRST-NAME|X|" TP-FIRST-NAME
           DISPLAY "FLD|TP-NAME.TP-MIDDLE-INIT|X|" TP-MIDDLE-INIT
           DISPLAY "FLD|TP-ADDRESS.TP-STREET|X|" TP-STREET
           DISPLAY "FLD|TP-ADDRESS.TP-CITY|X|" TP-CITY
           DISPLAY "FLD|TP-ADDRESS.TP-STATE|X|" TP-STATE
           DISPLAY "FLD|TP-ADDRESS.TP-ZIP.TP-ZIP5|I|" TP-ZIP5
           DISPLAY "FLD|TP-ADDRESS.TP-ZIP.TP-ZIP4|I|" TP-ZIP4
           DISPLAY "FLD|TP-FILING-STATUS|I|" TP-FILING-STATUS
           DISPLAY "FLD|TP-TAX-YEAR|I|" TP-TAX-YEAR
           DISPLAY "FLD|TP-BALANCE-DUE|D|" TP-BALANCE-DUE
           DISPLAY "FLD|TP-ACCRUED-PENALTY|D|" TP-ACCRUED-PENALTY
           DISPLAY "FLD|TP-LIFETIME-ASSESSED|D|" TP-LIFETIME-ASSESSED
           DISPLAY "FLD|TP-REFUND-HELD|D|" TP-REFUND-HELD
           DISPLAY "FLD|TP-RETURN-COUNT|I|" TP-RETURN-COUNT
           DISPLAY "FLD|TP-NOTICE-COUNT|I|" TP-NOTICE-COUNT
           DISPLAY "FLD|TP-LETTER-COUNT|I|" TP-LETTER-COUNT
           DISPLAY "FLD|TP-PAYMENT-SEQ|I|" TP-PAYMENT-SEQ
           DISPLAY "FLD|TP-ADJUSTMENT-AMT|D|" TP-ADJUSTMENT-AMT
           DISPLAY "FLD|TP-CREDIT-AMT|D|" TP-CREDIT-AMT
           DISPLAY "FLD|TP-INTEREST-AMT|D|" TP-INTEREST-AMT
           DISPLAY "FLD|TP-OFFSET-AMT|D|" TP-OFFSET-AMT
           DISPLAY "FLD|TP-DOC-LOCATOR|I|" TP-DOC-LOCATOR
           DISPLAY "LST|TP-QTR-PAYMENT|4"
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 4
               DISPLAY "FLD|TP-QTR-PAYMENT(" WS-J ")|D|"
                   TP-QTR-PAYMENT(WS-J)
           END-PERFORM
           DISPLAY "LST|TP-DEPENDENT|3"
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 3
               DISPLAY "FLD|TP-DEPENDENT(" WS-J ").TP-DEP-NAME|X|"
                   TP-DEP-NAME(WS-J)
               DISPLAY "FLD|TP-DEPENDENT(" WS-J ").TP-DEP-SSN|I|"
                   TP-DEP-SSN(WS-J)
               DISPLAY "FLD|TP-DEPENDENT(" WS-J ").TP-DEP-CREDIT|D|"
                   TP-DEP-CREDIT(WS-J)
           END-PERFORM
           DISPLAY "FLD|TP-LAST-UPDATE|I|" TP-LAST-UPDATE
           DISPLAY "FLD|TP-LAST-UPDATE-R.TP-LAST-UPDATE-YYYY|I|"
               TP-LAST-UPDATE-YYYY
           DISPLAY "FLD|TP-LAST-UPDATE-R.TP-LAST-UPDATE-MM|I|"
               TP-LAST-UPDATE-MM
           DISPLAY "FLD|TP-LAST-UPDATE-R.TP-LAST-UPDATE-DD|I|"
               TP-LAST-UPDATE-DD
           DISPLAY "FLD|TP-ACCOUNT-STATUS|X|" TP-ACCOUNT-STATUS
           DISPLAY "END|" WS-REC-NO
       >>IF GOLDEN-EBCDIC IS DEFINED
           PERFORM TO-CP037
       >>END-IF
           WRITE TAXPAYER-MASTER
           IF WS-FS NOT = "00"
               DISPLAY "WRITE FAILED " WS-FS UPON SYSERR
               STOP RUN RETURNING 1
           END-IF.

      * Every DISPLAY-usage byte (text, zoned, separate signs, FILLER)
      *  from Latin-1 to cp037; packed and binary bytes are left alone.
      *  Numeric items are reference-modified (1:) so that INSPECT sees
      *  plain bytes: on a signed item GnuCOBOL would put the sign back.
       TO-CP037.
           INSPECT TP-TIN(1:) CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TP-NAME-CONTROL CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TP-NAME CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TP-ADDRESS CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TP-FILING-STATUS(1:)
               CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TP-TAX-YEAR(1:) CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TP-ADJUSTMENT-AMT(1:)
               CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TP-CREDIT-AMT(1:)
               CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TP-INTEREST-AMT(1:)
               CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TP-OFFSET-AMT(1:)
               CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TP-DOC-LOCATOR(1:)
               CONVERTING CONV-LATIN1 TO CONV-CP037
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 3
               INSPECT TP-DEP-NAME(WS-J)
                   CONVERTING CONV-LATIN1 TO CONV-CP037
               INSPECT TP-DEP-SSN(WS-J)(1:)
                   CONVERTING CONV-LATIN1 TO CONV-CP037
           END-PERFORM
           INSPECT TP-LAST-UPDATE(1:)
               CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TP-ACCOUNT-STATUS
               CONVERTING CONV-LATIN1 TO CONV-CP037
      *    the FILLER: the last 10 bytes of the 333-byte record
           INSPECT TAXPAYER-MASTER(324:10)
               CONVERTING CONV-LATIN1 TO CONV-CP037.
