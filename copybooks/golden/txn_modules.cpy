      * Transaction module: one taxpayer module with 0 to 20 posted
      * transactions (OCCURS DEPENDING ON), variable-length records.
      * Written by golden_files/cobol/txn_modules.cbl with GnuCOBOL.
       01  TXN-MODULE.
           05  TX-TIN                 PIC 9(9).
           05  TX-MFT-CODE            PIC 99.
           05  TX-TAX-PERIOD          PIC 9(6).
           05  TX-MODULE-BAL          PIC S9(11)V99 COMP-3.
           05  TX-CYCLE               PIC 9(6) COMP.
           05  TX-REMARK              PIC X(12).
           05  TX-STATUS              PIC S9(3) SIGN TRAILING SEPARATE.
           05  TX-COUNT               PIC S9(4) COMP.
           05  TX-ENTRY               OCCURS 0 TO 20 TIMES
                                      DEPENDING ON TX-COUNT.
               10  TX-CODE            PIC 9(3).
               10  TX-DATE            PIC 9(8).
               10  TX-AMOUNT          PIC S9(9)V99 COMP-3.
               10  TX-DLN             PIC X(14).
               10  TX-ADJ             PIC S9(5)V9.
               10  TX-FLAG            PIC X OCCURS 2 TIMES.
