      *================================================================*
      * TAXPAYER.CPY - individual taxpayer master record (333 bytes),  *
      *  golden-file version: every numeric usage of the master file.  *
      *================================================================*
       01  TAXPAYER-MASTER.
           05  TP-TIN                  PIC 9(9).
           05  TP-NAME-CONTROL         PIC X(4).
           05  TP-NAME.
               10  TP-LAST-NAME        PIC X(20).
               10  TP-FIRST-NAME       PIC X(15).
               10  TP-MIDDLE-INIT      PIC X.
           05  TP-ADDRESS.
               10  TP-STREET           PIC X(30).
               10  TP-CITY             PIC X(20).
               10  TP-STATE            PIC XX.
               10  TP-ZIP.
                   15  TP-ZIP5         PIC 9(5).
                   15  TP-ZIP4         PIC 9(4).
           05  TP-FILING-STATUS        PIC 9.
               88  TP-SINGLE                   VALUE 1.
               88  TP-MARRIED-JOINT            VALUE 2.
               88  TP-MARRIED-SEPARATE         VALUE 3.
               88  TP-HEAD-OF-HOUSEHOLD        VALUE 4.
               88  TP-QUALIFYING-SURVIVOR      VALUE 5.
               88  TP-VALID-STATUS             VALUES 1 THRU 5.
           05  TP-TAX-YEAR             PIC 9(4).
           05  TP-BALANCE-DUE          PIC S9(11)V99 COMP-3.
           05  TP-ACCRUED-PENALTY      PIC S9(9)V99  COMP-3.
           05  TP-LIFETIME-ASSESSED    PIC S9(29)V99 COMP-3.
           05  TP-REFUND-HELD          PIC 9(7)V99   COMP-3.
           05  TP-RETURN-COUNT         PIC S9(4)     COMP.
           05  TP-NOTICE-COUNT         PIC 9(4)      COMP.
           05  TP-LETTER-COUNT         PIC S9(9)     COMP.
           05  TP-PAYMENT-SEQ          PIC S9(18)    COMP.
           05  TP-ADJUSTMENT-AMT       PIC S9(7)V99.
           05  TP-CREDIT-AMT           PIC S9(5)V99  SIGN LEADING.
           05  TP-INTEREST-AMT         PIC S9(7)V99  SIGN LEADING
                                                     SEPARATE.
           05  TP-OFFSET-AMT           PIC S9(7)V99  SIGN TRAILING
                                                     SEPARATE.
           05  TP-DOC-LOCATOR          PIC 9(18).
           05  TP-QTR-PAYMENT          PIC S9(7)V99  COMP-3
                                       OCCURS 4 TIMES.
           05  TP-DEPENDENT            OCCURS 3 TIMES.
               10  TP-DEP-NAME         PIC X(12).
               10  TP-DEP-SSN          PIC 9(9).
               10  TP-DEP-CREDIT       PIC S9(5)V99  COMP-3.
           05  TP-LAST-UPDATE          PIC 9(8).
           05  TP-LAST-UPDATE-R        REDEFINES TP-LAST-UPDATE.
               10  TP-LAST-UPDATE-YYYY PIC 9(4).
               10  TP-LAST-UPDATE-MM   PIC 99.
               10  TP-LAST-UPDATE-DD   PIC 99.
           05  TP-ACCOUNT-STATUS       PIC X.
               88  TP-ACTIVE                   VALUE 'A'.
               88  TP-CLOSED                   VALUE 'C'.
               88  TP-NO-STATUS                VALUE SPACE.
           05  FILLER                  PIC X(10).
