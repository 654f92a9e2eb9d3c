      *================================================================*
      * NUMERICS.CPY - GnuCOBOL-specific numeric usages (COMP-5 and   *
      *  IEEE COMP-1/COMP-2, little-endian on x86), edge pictures     *
      *================================================================*
       01  NUMERIC-SAMPLE.
           05  NS-ID                   PIC 9(4).
           05  NS-LABEL                PIC X(12).
           05  NS-HALF-C5              PIC S9(4)     COMP-5.
           05  NS-UHALF-C5             PIC 9(4)      COMP-5.
           05  NS-FULL-C5              PIC S9(9)     COMP-5.
           05  NS-DOUBLE-C5            PIC S9(18)    COMP-5.
           05  NS-SCALED-C5            PIC S9(5)V99  COMP-5.
           05  NS-UFULL-BIN            PIC 9(9)      COMP.
           05  NS-SCALED-BIN           PIC S9(16)V99 COMP.
           05  NS-SINGLE               COMP-1.
           05  NS-DOUBLE               COMP-2.
           05  NS-PACK-EVEN            PIC S9(4)     COMP-3.
           05  NS-PACK-ONE             PIC S9        COMP-3.
           05  NS-PACK-UEVEN           PIC 9(6)V99   COMP-3.
           05  NS-PACK-38              PIC S9(38)    COMP-3.
           05  NS-ZONED-18             PIC S9(18).
           05  NS-FRACTION             PIC SV9(5).
