      * ADDRMEMBER.CPY - COPY member used by the tests with REPLACING:
      *  :PFX: is a colon tag, ADDR-LEN a word replaced by a number.
           05  :PFX:-ADDRESS.
               10  :PFX:-STREET        PIC X(ADDR-LEN).
               10  :PFX:-CITY          PIC X(20).
               10  :PFX:-ZIP           PIC 9(5).
