      *================================================================*
      * BUSINESS.CPY - business master, three segment layouts sharing  *
      *  one 80-byte area, selected by BM-SEG-TYPE (90-byte records)   *
      *================================================================*
       01  BUSINESS-MASTER.
           05  BM-EIN                  PIC 9(9).
           05  BM-SEG-TYPE             PIC X.
               88  BM-ENTITY-SEG               VALUE 'E'.
               88  BM-FILING-SEG               VALUE 'F'.
               88  BM-OFFICER-SEG              VALUE 'O'.
           05  ENTITY-SEG.
               10  EN-BUSINESS-NAME    PIC X(40).
               10  EN-DBA-NAME         PIC X(30).
               10  EN-ENTITY-TYPE      PIC X(2).
               10  EN-ESTABLISHED      PIC 9(8).
           05  FILING-SEG              REDEFINES ENTITY-SEG.
               10  FL-FORM-TYPE        PIC X(6).
               10  FL-TAX-PERIOD       PIC 9(6).
               10  FL-TOTAL-TAX        PIC S9(11)V99 COMP-3.
               10  FL-TOTAL-WAGES      PIC S9(11)V99 COMP-3.
               10  FL-EMPLOYEE-COUNT   PIC S9(7)     COMP.
               10  FILLER              PIC X(50).
           05  OFFICER-SEG             REDEFINES ENTITY-SEG.
               10  OF-OFFICER-NAME     PIC X(35).
               10  OF-TITLE            PIC X(20).
               10  OF-SSN              PIC 9(9).
               10  OF-OWNERSHIP-PCT    PIC 9(3)V99.
               10  FILLER              PIC X(11).
