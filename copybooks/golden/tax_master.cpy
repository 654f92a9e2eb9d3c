      * Individual taxpayer master record (fixed length), written by
      * golden_files/cobol/tax_master.cbl with GnuCOBOL.
       01  TAX-MASTER.
           05  TM-TIN                 PIC 9(9).
           05  TM-NAME-CTRL           PIC X(4).
           05  TM-NAME.
               10  TM-FIRST-NAME      PIC X(15).
               10  TM-MIDDLE-INIT     PIC X.
               10  TM-LAST-NAME       PIC X(20).
           05  TM-ADDRESS.
               10  TM-STREET          PIC X(30).
               10  TM-CITY            PIC X(20).
               10  TM-STATE           PIC XX.
               10  TM-ZIP             PIC 9(5).
               10  TM-ZIP4            PIC 9(4).
           05  TM-FILING-STATUS       PIC 9.
               88  TM-SINGLE          VALUE 1.
               88  TM-JOINT           VALUE 2.
               88  TM-SEPARATE        VALUE 3.
               88  TM-HEAD-HOUSEHOLD  VALUE 4.
               88  TM-WIDOW           VALUE 5.
           05  TM-TAX-YEAR            PIC 9(4).
           05  TM-BAL-DUE             PIC S9(11)V99 COMP-3.
           05  TM-TOTAL-PAID          PIC S9(11)V99 COMP-3.
           05  TM-RETURN-COUNT        PIC S9(4) COMP.
           05  TM-NOTICE-COUNT        PIC 9(9) COMP.
           05  TM-LIFETIME-TXNS       PIC S9(18) COMP.
           05  TM-ADJ-AMOUNT          PIC S9(7)V99.
           05  TM-CREDIT-LEAD         PIC S9(3) SIGN LEADING.
           05  TM-PENALTY             PIC S9(7)V99
                                      SIGN LEADING SEPARATE.
           05  TM-INTEREST            PIC S9(7)V99
                                      SIGN TRAILING SEPARATE.
           05  TM-DLN                 PIC 9(18).
           05  TM-ASSESSED-TOTAL      PIC S9(29)V99 COMP-3.
           05  TM-UNSIGNED-PACKED     PIC 9(7) COMP-3.
           05  TM-QTR-PAYMENT         OCCURS 4 TIMES.
               10  TM-QTR-AMOUNT      PIC S9(9)V99 COMP-3.
               10  TM-QTR-CODE        PIC X.
           05  TM-PRIOR-YEAR          PIC 9(4) OCCURS 3 TIMES.
           05  TM-LAST-FILED          PIC 9(8).
           05  TM-LAST-FILED-PARTS REDEFINES TM-LAST-FILED.
               10  TM-LF-YEAR         PIC 9(4).
               10  TM-LF-MONTH        PIC 99.
               10  TM-LF-DAY          PIC 99.
           05  TM-STATUS-FLAG         PIC X.
               88  TM-ACTIVE          VALUE 'A'.
               88  TM-CLOSED          VALUE 'C'.
           05  TM-NATIVE-SEQ          PIC S9(9) COMP-5.
           05  TM-RATE                COMP-1.
           05  TM-FACTOR              COMP-2.
           05  TM-ROUNDED-INCOME      PIC 9(4)PPP.
           05  FILLER                 PIC X(6).
