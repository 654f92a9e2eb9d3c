      *================================================================*
      * TXNMODULE.CPY - tax module with a variable transaction table   *
      *  (19 to 1019 bytes: OCCURS 0 TO 50 DEPENDING ON TM-TXN-COUNT)  *
      *================================================================*
       01  TXN-MODULE.
           05  TM-HEADER.
               10  TM-TIN              PIC 9(9).
               10  TM-TAX-PERIOD       PIC 9(6).
               10  TM-MODULE-TYPE      PIC X(2).
           05  TM-TXN-COUNT            PIC S9(4) COMP.
           05  TM-TXN                  OCCURS 0 TO 50 TIMES
                                       DEPENDING ON TM-TXN-COUNT.
               10  TM-TXN-CODE         PIC 9(3).
               10  TM-TXN-DATE         PIC 9(8).
               10  TM-TXN-AMOUNT       PIC S9(9)V99 COMP-3.
               10  TM-TXN-CYCLE        PIC X(3).
