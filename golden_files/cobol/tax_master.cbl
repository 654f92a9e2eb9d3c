       IDENTIFICATION DIVISION.
       PROGRAM-ID. TAX-MASTER.
      *----------------------------------------------------------------
      * Golden file writer: individual taxpayer master (fixed length).
      * Compiled twice (flags: tax_master.json, tax_master_ascii.json):
      *   -D GOLDEN-EBCDIC -fsign=EBCDIC -> tax_master.dat (cp037 text)
      *   -fsign=ASCII              -> tax_master_ascii.dat (Latin-1)
      * Every field of every record is DISPLAYed BEFORE the record is
      * translated, one line a field:  FLD|<path>|<type>|<value>
      * type X text, I integer, D decimal (DISPLAY of the field itself,
      * GnuCOBOL edits the implied point in), E COMP-1, F COMP-2.
      * Source encoding: Latin-1 (an accented letter is one byte).
      *----------------------------------------------------------------
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT TAX-FILE ASSIGN TO WS-OUT-NAME
               ORGANIZATION IS SEQUENTIAL
               FILE STATUS IS WS-FS.
       DATA DIVISION.
       FILE SECTION.
       FD  TAX-FILE.
       COPY "tax_master.cpy".
       WORKING-STORAGE SECTION.
       COPY "cp037tab.cpy".
       01  WS-OUT-NAME                PIC X(64).
       01  WS-FS                      PIC XX.
       01  WS-COUNT                   PIC 9(4) VALUE 60.
       01  WS-I                       PIC 9(4).
       01  WS-J                       PIC 9.
       01  WS-K                       PIC 9(4).
       01  WS-N                       PIC S9(9) COMP-5.
       01  WS-HOUSE                   PIC 9(4).
      * DISPLAY of a PIC ...P item itself prints wrong digits in
      * GnuCOBOL 3.1.2, so it is MOVEd to this plain copy first.
       01  WS-P-COPY                  PIC 9(18).
       01  WS-FIRST-VALUES.
           05  FILLER PIC X(15) VALUE 'JOHN'.
           05  FILLER PIC X(15) VALUE 'MARÍA'.
           05  FILLER PIC X(15) VALUE 'ÉMILE'.
           05  FILLER PIC X(15) VALUE 'JÜRGEN'.
           05  FILLER PIC X(15) VALUE 'Ä'.
           05  FILLER PIC X(15) VALUE 'O''BRIEN'.
           05  FILLER PIC X(15) VALUE 'François'.
           05  FILLER PIC X(15) VALUE 'ZOË'.
           05  FILLER PIC X(15) VALUE 'ßTEFAN'.
           05  FILLER PIC X(15) VALUE 'MAXIMILIANUS   '.
           05  FILLER PIC X(15) VALUE 'Ñ'.
           05  FILLER PIC X(15) VALUE 'ANNE-MARIE'.
       01  WS-FIRST-TABLE REDEFINES WS-FIRST-VALUES.
           05  WS-FIRST               PIC X(15) OCCURS 12 TIMES.
       01  WS-LAST-VALUES.
           05  FILLER PIC X(20) VALUE 'SMITH'.
           05  FILLER PIC X(20) VALUE 'NÚÑEZ'.
           05  FILLER PIC X(20) VALUE 'MÜLLER'.
           05  FILLER PIC X(20) VALUE 'GROßMANN'.
           05  FILLER PIC X(20) VALUE 'ÅSTRÖM'.
           05  FILLER PIC X(20) VALUE 'DE LA CRUZ'.
           05  FILLER PIC X(20) VALUE 'Øvergård'.
           05  FILLER PIC X(20) VALUE 'LEE'.
           05  FILLER PIC X(20) VALUE 'WASHINGTON-JEFFERSON'.
           05  FILLER PIC X(20) VALUE 'ÇELIK'.
           05  FILLER PIC X(20) VALUE 'D''ARCY'.
           05  FILLER PIC X(20) VALUE 'Æbelø'.
       01  WS-LAST-TABLE REDEFINES WS-LAST-VALUES.
           05  WS-LAST                PIC X(20) OCCURS 12 TIMES.
       01  WS-CITY-VALUES.
           05  FILLER PIC X(22) VALUE 'SPRINGFIELD         IL'.
           05  FILLER PIC X(22) VALUE 'SAN JOSÉ            CA'.
           05  FILLER PIC X(22) VALUE 'NEW YORK            NY'.
           05  FILLER PIC X(22) VALUE 'ESPAÑOLA            NM'.
           05  FILLER PIC X(22) VALUE 'COEUR D''ALENE       ID'.
           05  FILLER PIC X(22) VALUE 'AUSTIN              TX'.
       01  WS-CITY-TABLE REDEFINES WS-CITY-VALUES.
           05  WS-CITY-ENTRY          OCCURS 6 TIMES.
               10  WS-CITY            PIC X(20).
               10  WS-STATE           PIC XX.
       01  WS-STREET-VALUES.
           05  FILLER PIC X(20) VALUE 'MAIN ST'.
           05  FILLER PIC X(20) VALUE 'CALLE DEL ÁRBOL'.
           05  FILLER PIC X(20) VALUE 'MÜHLENWEG'.
           05  FILLER PIC X(20) VALUE 'RUE DE L''ÉGLISE'.
       01  WS-STREET-TABLE REDEFINES WS-STREET-VALUES.
           05  WS-STREET              PIC X(20) OCCURS 4 TIMES.
       01  WS-CODES                   PIC X(8) VALUE 'PEWXÉ $Z'.
       01  WS-CODE-TABLE REDEFINES WS-CODES.
           05  WS-CODE                PIC X OCCURS 8 TIMES.

       PROCEDURE DIVISION.
       MAIN-LINE.
           >>IF GOLDEN-EBCDIC DEFINED
           MOVE 'tax_master.dat' TO WS-OUT-NAME
           >>ELSE
           MOVE 'tax_master_ascii.dat' TO WS-OUT-NAME
           >>END-IF
           OPEN OUTPUT TAX-FILE
           IF WS-FS NOT = '00'
               DISPLAY 'ERR|open ' WS-FS
               STOP RUN
           END-IF
           PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > WS-COUNT
               MOVE SPACES TO TAX-MASTER
               >>IF GOLDEN-EBCDIC DEFINED
               INSPECT TAX-MASTER CONVERTING CONV-LATIN1 TO CONV-CP037
               >>END-IF
               EVALUATE WS-I
                   WHEN 1 PERFORM BUILD-MAXIMUM
                   WHEN 2 PERFORM BUILD-MINIMUM
                   WHEN 3 PERFORM BUILD-ZERO
                   WHEN 4 PERFORM BUILD-ACCENTS
                   WHEN OTHER PERFORM BUILD-GENERATED
               END-EVALUATE
               PERFORM SHOW-RECORD
               >>IF GOLDEN-EBCDIC DEFINED
               PERFORM TO-CP037
               >>END-IF
               WRITE TAX-MASTER
               IF WS-FS NOT = '00'
                   DISPLAY 'ERR|write ' WS-FS
               END-IF
           END-PERFORM
           CLOSE TAX-FILE
           STOP RUN.

      * Largest value of every picture (text filled to the last byte).
       BUILD-MAXIMUM.
           MOVE 999999999 TO TM-TIN
           MOVE 'ZZZZ' TO TM-NAME-CTRL
           MOVE 'MAXIMILIANUS XY' TO TM-FIRST-NAME
           MOVE 'Z' TO TM-MIDDLE-INIT
           MOVE 'WASHINGTON-JEFFERSON' TO TM-LAST-NAME
           MOVE '99999 NORTHWEST BOULEVARD APT' TO TM-STREET
           MOVE 'ABCDEFGHIJKLMNOPQRST' TO TM-CITY
           MOVE 'WY' TO TM-STATE
           MOVE 99999 TO TM-ZIP
           MOVE 9999 TO TM-ZIP4
           MOVE 9 TO TM-FILING-STATUS
           MOVE 9999 TO TM-TAX-YEAR
           MOVE 99999999999.99 TO TM-BAL-DUE
           MOVE 99999999999.99 TO TM-TOTAL-PAID
           MOVE 9999 TO TM-RETURN-COUNT
           MOVE 999999999 TO TM-NOTICE-COUNT
           MOVE 999999999999999999 TO TM-LIFETIME-TXNS
           MOVE 9999999.99 TO TM-ADJ-AMOUNT
           MOVE 999 TO TM-CREDIT-LEAD
           MOVE 9999999.99 TO TM-PENALTY
           MOVE 9999999.99 TO TM-INTEREST
           MOVE 999999999999999999 TO TM-DLN
           MOVE 99999999999999999999999999999.99 TO TM-ASSESSED-TOTAL
           MOVE 9999999 TO TM-UNSIGNED-PACKED
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 4
               MOVE 999999999.99 TO TM-QTR-AMOUNT(WS-J)
               MOVE 'Z' TO TM-QTR-CODE(WS-J)
           END-PERFORM
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 3
               MOVE 9999 TO TM-PRIOR-YEAR(WS-J)
           END-PERFORM
           MOVE 99991231 TO TM-LAST-FILED
           MOVE 'A' TO TM-STATUS-FLAG
           MOVE 999999999 TO TM-NATIVE-SEQ
           MOVE 16777216 TO TM-RATE
           MOVE 1125899906842624 TO TM-FACTOR
           MOVE 9999000 TO TM-ROUNDED-INCOME.

      * Most negative value of every signed picture.
       BUILD-MINIMUM.
           MOVE 1 TO TM-TIN
           MOVE 'A' TO TM-NAME-CTRL
           MOVE 'A' TO TM-FIRST-NAME
           MOVE SPACE TO TM-MIDDLE-INIT
           MOVE 'B' TO TM-LAST-NAME
           MOVE '1 A ST' TO TM-STREET
           MOVE 'X' TO TM-CITY
           MOVE 'AK' TO TM-STATE
           MOVE 1 TO TM-ZIP
           MOVE 1 TO TM-ZIP4
           MOVE 1 TO TM-FILING-STATUS
           MOVE 1 TO TM-TAX-YEAR
           MOVE -99999999999.99 TO TM-BAL-DUE
           MOVE -99999999999.99 TO TM-TOTAL-PAID
           MOVE -9999 TO TM-RETURN-COUNT
           MOVE 1 TO TM-NOTICE-COUNT
           MOVE -999999999999999999 TO TM-LIFETIME-TXNS
           MOVE -9999999.99 TO TM-ADJ-AMOUNT
           MOVE -999 TO TM-CREDIT-LEAD
           MOVE -9999999.99 TO TM-PENALTY
           MOVE -9999999.99 TO TM-INTEREST
           MOVE 1 TO TM-DLN
           MOVE -99999999999999999999999999999.99 TO TM-ASSESSED-TOTAL
           MOVE 1 TO TM-UNSIGNED-PACKED
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 4
               MOVE -999999999.99 TO TM-QTR-AMOUNT(WS-J)
               MOVE 'A' TO TM-QTR-CODE(WS-J)
           END-PERFORM
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 3
               MOVE 1 TO TM-PRIOR-YEAR(WS-J)
           END-PERFORM
           MOVE 00010101 TO TM-LAST-FILED
           MOVE 'C' TO TM-STATUS-FLAG
           MOVE -999999999 TO TM-NATIVE-SEQ
           MOVE -0.000030517578125 TO TM-RATE
           MOVE -1125899906842624 TO TM-FACTOR
           MOVE 1000 TO TM-ROUNDED-INCOME.

      * Zero everywhere, all-space text; negative zero is attempted
      * (GnuCOBOL stores it as positive zero).
       BUILD-ZERO.
           MOVE ZERO TO TM-TIN
           MOVE SPACES TO TM-NAME-CTRL TM-NAME TM-STREET TM-CITY
           MOVE SPACES TO TM-STATE TM-STATUS-FLAG
           MOVE ZERO TO TM-ZIP TM-ZIP4 TM-FILING-STATUS TM-TAX-YEAR
           COMPUTE TM-BAL-DUE = -0.00
           COMPUTE TM-TOTAL-PAID = 0 - 0
           MOVE ZERO TO TM-RETURN-COUNT TM-NOTICE-COUNT
           MOVE ZERO TO TM-LIFETIME-TXNS
           COMPUTE TM-ADJ-AMOUNT = -1 * 0
           COMPUTE TM-CREDIT-LEAD = -0
           MOVE ZERO TO TM-PENALTY TM-INTEREST TM-DLN
           MOVE ZERO TO TM-ASSESSED-TOTAL TM-UNSIGNED-PACKED
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 4
               MOVE ZERO TO TM-QTR-AMOUNT(WS-J)
               MOVE SPACE TO TM-QTR-CODE(WS-J)
           END-PERFORM
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 3
               MOVE ZERO TO TM-PRIOR-YEAR(WS-J)
           END-PERFORM
           MOVE ZERO TO TM-LAST-FILED TM-NATIVE-SEQ
           MOVE ZERO TO TM-RATE TM-FACTOR TM-ROUNDED-INCOME.

      * Accented letters in every text field (cp037 holds them all).
       BUILD-ACCENTS.
           PERFORM BUILD-GENERATED
           MOVE 'ÄÖÜß' TO TM-NAME-CTRL
           MOVE 'éèêëàâçñüÿ' TO TM-FIRST-NAME
           MOVE 'É' TO TM-MIDDLE-INIT
           MOVE 'ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓ' TO TM-LAST-NAME
           MOVE 'ÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîï' TO TM-STREET
           MOVE 'ðñòóôõöøùúûüýþÿ¡¿«»' TO TM-CITY
           MOVE '§¶' TO TM-STATE
           MOVE 'Ç' TO TM-STATUS-FLAG
           MOVE 'é' TO TM-QTR-CODE(1)
           MOVE 'ñ' TO TM-QTR-CODE(2)
           MOVE 'ü' TO TM-QTR-CODE(3)
           MOVE 'ß' TO TM-QTR-CODE(4).

      * Ordinary records: values derived from the record number.
       BUILD-GENERATED.
           COMPUTE WS-N = WS-I * 7
           COMPUTE TM-TIN = FUNCTION MOD(WS-I * 104729 + 123456789,
                                         1000000000)
           MOVE WS-LAST(FUNCTION MOD(WS-I, 12) + 1) TO TM-NAME-CTRL
           MOVE WS-FIRST(FUNCTION MOD(WS-I * 5, 12) + 1)
               TO TM-FIRST-NAME
           MOVE WS-CODE(FUNCTION MOD(WS-I, 8) + 1) TO TM-MIDDLE-INIT
           MOVE WS-LAST(FUNCTION MOD(WS-I, 12) + 1) TO TM-LAST-NAME
           COMPUTE WS-HOUSE = FUNCTION MOD(WS-I * 37, 9999) + 1
           MOVE SPACES TO TM-STREET
           STRING WS-HOUSE DELIMITED BY SIZE
                  ' ' DELIMITED BY SIZE
                  WS-STREET(FUNCTION MOD(WS-I, 4) + 1)
                      DELIMITED BY SIZE
               INTO TM-STREET
           END-STRING
           MOVE WS-CITY(FUNCTION MOD(WS-I, 6) + 1) TO TM-CITY
           MOVE WS-STATE(FUNCTION MOD(WS-I, 6) + 1) TO TM-STATE
           COMPUTE TM-ZIP = FUNCTION MOD(WS-I * 7919, 100000)
           COMPUTE TM-ZIP4 = FUNCTION MOD(WS-I * 31, 10000)
           COMPUTE TM-FILING-STATUS = FUNCTION MOD(WS-I, 5) + 1
           COMPUTE TM-TAX-YEAR = 1999 + FUNCTION MOD(WS-I, 27)
           COMPUTE TM-BAL-DUE = WS-I * WS-I * 1234567.89
           IF FUNCTION MOD(WS-I, 3) = 0
               COMPUTE TM-BAL-DUE = 0 - TM-BAL-DUE
           END-IF
           COMPUTE TM-TOTAL-PAID = (WS-I - 30) * 98765.43
           COMPUTE TM-RETURN-COUNT = (WS-I - 20) * 97
           COMPUTE TM-NOTICE-COUNT = WS-I * WS-I * WS-I * 4099
           COMPUTE TM-LIFETIME-TXNS = (WS-I - 33) * 27182818284590452
           COMPUTE TM-ADJ-AMOUNT = (25 - WS-I) * 1234.57
           COMPUTE TM-CREDIT-LEAD = FUNCTION MOD(WS-I * 13, 1999) - 999
           COMPUTE TM-PENALTY = (WS-I - 31) * 321.09
           COMPUTE TM-INTEREST = (17 - WS-I) * 45.6
           COMPUTE TM-DLN = WS-I * 16446744073709551
           COMPUTE TM-ASSESSED-TOTAL =
               (WS-I - 30) * 3141592653589793238462643383.27
           COMPUTE TM-UNSIGNED-PACKED = WS-I * WS-I * 2701
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 4
               COMPUTE TM-QTR-AMOUNT(WS-J) =
                   (WS-I * 10 + WS-J - 300) * 1111.11
               MOVE WS-CODE(FUNCTION MOD(WS-I + WS-J, 8) + 1)
                   TO TM-QTR-CODE(WS-J)
           END-PERFORM
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 3
               COMPUTE TM-PRIOR-YEAR(WS-J) = TM-TAX-YEAR - WS-J
           END-PERFORM
           COMPUTE TM-LF-YEAR = TM-TAX-YEAR + 1
           COMPUTE TM-LF-MONTH = FUNCTION MOD(WS-I, 12) + 1
           COMPUTE TM-LF-DAY = FUNCTION MOD(WS-I * 7, 28) + 1
           IF FUNCTION MOD(WS-I, 4) = 0
               MOVE 'C' TO TM-STATUS-FLAG
           ELSE
               MOVE 'A' TO TM-STATUS-FLAG
           END-IF
           COMPUTE TM-NATIVE-SEQ = (WS-I - 30) * 16777215
           COMPUTE TM-RATE = (WS-I - 30) * 0.125
           COMPUTE TM-FACTOR = (WS-I - 29) * 1048576.0625
           COMPUTE TM-ROUNDED-INCOME = WS-I * 123000.

      * One line a field, before any translation.
       SHOW-RECORD.
           DISPLAY 'REC|' WS-I
           DISPLAY 'FLD|TM-TIN|I|' TM-TIN
           DISPLAY 'FLD|TM-NAME-CTRL|X|' TM-NAME-CTRL
           DISPLAY 'FLD|TM-NAME.TM-FIRST-NAME|X|' TM-FIRST-NAME
           DISPLAY 'FLD|TM-NAME.TM-MIDDLE-INIT|X|' TM-MIDDLE-INIT
           DISPLAY 'FLD|TM-NAME.TM-LAST-NAME|X|' TM-LAST-NAME
           DISPLAY 'FLD|TM-ADDRESS.TM-STREET|X|' TM-STREET
           DISPLAY 'FLD|TM-ADDRESS.TM-CITY|X|' TM-CITY
           DISPLAY 'FLD|TM-ADDRESS.TM-STATE|X|' TM-STATE
           DISPLAY 'FLD|TM-ADDRESS.TM-ZIP|I|' TM-ZIP
           DISPLAY 'FLD|TM-ADDRESS.TM-ZIP4|I|' TM-ZIP4
           DISPLAY 'FLD|TM-FILING-STATUS|I|' TM-FILING-STATUS
           DISPLAY 'FLD|TM-TAX-YEAR|I|' TM-TAX-YEAR
           DISPLAY 'FLD|TM-BAL-DUE|D|' TM-BAL-DUE
           DISPLAY 'FLD|TM-TOTAL-PAID|D|' TM-TOTAL-PAID
           DISPLAY 'FLD|TM-RETURN-COUNT|I|' TM-RETURN-COUNT
           DISPLAY 'FLD|TM-NOTICE-COUNT|I|' TM-NOTICE-COUNT
           DISPLAY 'FLD|TM-LIFETIME-TXNS|I|' TM-LIFETIME-TXNS
           DISPLAY 'FLD|TM-ADJ-AMOUNT|D|' TM-ADJ-AMOUNT
           DISPLAY 'FLD|TM-CREDIT-LEAD|I|' TM-CREDIT-LEAD
           DISPLAY 'FLD|TM-PENALTY|D|' TM-PENALTY
           DISPLAY 'FLD|TM-INTEREST|D|' TM-INTEREST
           DISPLAY 'FLD|TM-DLN|I|' TM-DLN
           DISPLAY 'FLD|TM-ASSESSED-TOTAL|D|' TM-ASSESSED-TOTAL
           DISPLAY 'FLD|TM-UNSIGNED-PACKED|I|' TM-UNSIGNED-PACKED
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 4
               DISPLAY 'FLD|TM-QTR-PAYMENT(' WS-J ').TM-QTR-AMOUNT|D|'
                   TM-QTR-AMOUNT(WS-J)
               DISPLAY 'FLD|TM-QTR-PAYMENT(' WS-J ').TM-QTR-CODE|X|'
                   TM-QTR-CODE(WS-J)
           END-PERFORM
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 3
               DISPLAY 'FLD|TM-PRIOR-YEAR(' WS-J ')|I|'
                   TM-PRIOR-YEAR(WS-J)
           END-PERFORM
           DISPLAY 'FLD|TM-LAST-FILED|I|' TM-LAST-FILED
           DISPLAY 'FLD|TM-LAST-FILED-PARTS.TM-LF-YEAR|I|' TM-LF-YEAR
           DISPLAY 'FLD|TM-LAST-FILED-PARTS.TM-LF-MONTH|I|' TM-LF-MONTH
           DISPLAY 'FLD|TM-LAST-FILED-PARTS.TM-LF-DAY|I|' TM-LF-DAY
           DISPLAY 'FLD|TM-STATUS-FLAG|X|' TM-STATUS-FLAG
           DISPLAY 'FLD|TM-NATIVE-SEQ|I|' TM-NATIVE-SEQ
           DISPLAY 'FLD|TM-RATE|E|' TM-RATE
           DISPLAY 'FLD|TM-FACTOR|F|' TM-FACTOR
           MOVE TM-ROUNDED-INCOME TO WS-P-COPY
           DISPLAY 'FLD|TM-ROUNDED-INCOME|I|' WS-P-COPY
           DISPLAY 'END|' WS-I.

      * Latin-1 -> cp037 for every DISPLAY-usage field (text and zoned).
      * Signed numeric items are reference-modified (1:) so INSPECT
      * treats them as plain bytes: on the item itself GnuCOBOL takes
      * the sign off, converts the digits and punches the sign back in
      * its own (ASCII) form.
       TO-CP037.
           INSPECT TM-TIN CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TM-NAME-CTRL CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TM-NAME CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TM-ADDRESS CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TM-FILING-STATUS CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TM-TAX-YEAR CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TM-ADJ-AMOUNT(1:)
               CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TM-CREDIT-LEAD(1:)
               CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TM-PENALTY(1:) CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TM-INTEREST(1:) CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TM-DLN CONVERTING CONV-LATIN1 TO CONV-CP037
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 4
               INSPECT TM-QTR-CODE(WS-J)
                   CONVERTING CONV-LATIN1 TO CONV-CP037
           END-PERFORM
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 3
               INSPECT TM-PRIOR-YEAR(WS-J)
                   CONVERTING CONV-LATIN1 TO CONV-CP037
           END-PERFORM
           INSPECT TM-LAST-FILED CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TM-STATUS-FLAG CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT TM-ROUNDED-INCOME
               CONVERTING CONV-LATIN1 TO CONV-CP037.
