      * Business master: several segment types in one fixed-length
      * file, told apart by BZ-SEG-TYPE (REDEFINES alternatives).
      * Written by golden_files/cobol/biz_master.cbl with GnuCOBOL.
       01  BIZ-MASTER.
           05  BZ-EIN                 PIC 9(9).
           05  BZ-SEG-TYPE            PIC X.
               88  BZ-IS-ENTITY       VALUE 'E'.
               88  BZ-IS-OFFICER      VALUE 'O'.
               88  BZ-IS-FILING       VALUE 'F'.
           05  BZ-ENTITY-SEG.
               10  BZ-LEGAL-NAME      PIC X(35).
               10  BZ-DBA-NAME        PIC X(25).
               10  BZ-ENTITY-TYPE     PIC 99.
               10  BZ-NAICS           PIC 9(6).
               10  BZ-ESTABLISHED     PIC 9(8).
               10  BZ-EST-PARTS REDEFINES BZ-ESTABLISHED.
                   15  BZ-EST-YEAR    PIC 9(4).
                   15  BZ-EST-MMDD    PIC 9(4).
               10  BZ-EMPLOYEES       PIC 9(7) COMP.
               10  BZ-GROSS-RECEIPTS  PIC S9(13)V99 COMP-3.
           05  BZ-OFFICER-SEG REDEFINES BZ-ENTITY-SEG.
               10  BZ-OFF-SSN         PIC 9(9).
               10  BZ-OFF-NAME        PIC X(30).
               10  BZ-OFF-TITLE       PIC X(15).
               10  BZ-OFF-SHARE-PCT   PIC S9(3)V9(4) COMP-3.
               10  BZ-OFF-SINCE       PIC 9(8).
               10  BZ-OFF-SALARY      PIC S9(9)V99
                                      SIGN LEADING SEPARATE.
           05  BZ-FILING-SEG REDEFINES BZ-ENTITY-SEG.
               10  BZ-FORM            PIC X(6).
               10  BZ-PERIOD          PIC 9(6).
               10  BZ-TAX-DUE         PIC S9(11)V99 COMP-3.
               10  BZ-PAYMENT         PIC S9(11)V99 COMP-3
                                      OCCURS 4 TIMES.
               10  BZ-PENALTY-CODE    PIC XX.
               10  BZ-EXT-FLAG        PIC X.
               10  BZ-RATE            COMP-2.
               10  BZ-SEQ-NO          PIC S9(4) COMP-5.
           05  BZ-UPDATE-DATE         PIC 9(8).
