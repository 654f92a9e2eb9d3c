      *================================================================*
      * BUSINESS - writes the business master golden file (copybook   *
      *  BUSINESS.CPY): 90-byte records whose 80-byte area holds one  *
      *  of three segments (REDEFINES alternatives) chosen by          *
      *  BM-SEG-TYPE: E entity, F filing, O officer. cp037 text, signs *
      *  C/D (-fsign=EBCDIC), big-endian binary. DISPLAYs only the     *
      *  active segment. This source is Latin-1.                       *
      *================================================================*
       IDENTIFICATION DIVISION.
       PROGRAM-ID. BUSINESS.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT BUSINESS-FILE ASSIGN TO "business_ebcdic.dat"
               ORGANIZATION IS SEQUENTIAL
               FILE STATUS IS WS-FS.
       DATA DIVISION.
       FILE SECTION.
       FD  BUSINESS-FILE.
       COPY "business.cpy".
       WORKING-STORAGE SECTION.
       01  WS-FS                       PIC XX.
       01  WS-REC-NO                   PIC 9(4)  VALUE 0.

       01  WS-I                        PIC 9(4).
       01  WS-K                        PIC 9(4).
       01  WS-NAMES.
           05  FILLER PIC X(40) VALUE "ACME WIDGETS INC".
           05  FILLER PIC X(40) VALUE "BƒCKEREI M‹LLER GMBH".
           05  FILLER PIC X(40) VALUE "CAF… DE LA PLA«A S.A.".
           05  FILLER PIC X(40) VALUE "NORTHWIND TRADERS, LLC".
           05  FILLER PIC X(40) VALUE "SE—OR FROG'S & SONS".
       01  FILLER REDEFINES WS-NAMES.
           05  WS-NAME                 PIC X(40) OCCURS 5.
       01  WS-OFFICERS.
           05  FILLER PIC X(35) VALUE "≈SA LINDSTR÷M".
           05  FILLER PIC X(35) VALUE "JOHN Q. PUBLIC".
           05  FILLER PIC X(35) VALUE "REN…E O'CONNOR-DUBOIS".
           05  FILLER PIC X(35) VALUE "ﬁ”RA SIGUR–ARD”TTIR".
       01  FILLER REDEFINES WS-OFFICERS.
           05  WS-OFFICER              PIC X(35) OCCURS 4.
       01  WS-TITLES.
           05  FILLER PIC X(20) VALUE "PRESIDENT".
           05  FILLER PIC X(20) VALUE "TREASURER".
           05  FILLER PIC X(20) VALUE "GESCHƒFTSF‹HRERIN".
       01  FILLER REDEFINES WS-TITLES.
           05  WS-TITLE                PIC X(20) OCCURS 3.
       01  WS-ENTITY-TYPES             PIC X(8) VALUE "CPSPLLNP".
       01  WS-FORMS                    PIC X(18)
                                       VALUE "941   1120S 990-EZ".
       COPY "cp037tab.cpy".
       PROCEDURE DIVISION.
       MAIN-PARA.
           OPEN OUTPUT BUSINESS-FILE
           PERFORM EDGE-ENTITY
           PERFORM EDGE-FILING-MAX
           PERFORM EDGE-FILING-MIN
           PERFORM EDGE-OFFICER
           PERFORM GENERATED VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 32
           CLOSE BUSINESS-FILE
           STOP RUN.

       CLEAR-RECORD.
           MOVE SPACES TO BUSINESS-MASTER.

      * Record 1: an entity segment with all-space text and zero date.
       EDGE-ENTITY.
           PERFORM CLEAR-RECORD
           MOVE 0 TO BM-EIN
           SET BM-ENTITY-SEG TO TRUE
           MOVE 0 TO EN-ESTABLISHED
           PERFORM EMIT-RECORD.

      * Record 2: a filing segment holding the maximum of each picture.
       EDGE-FILING-MAX.
           PERFORM CLEAR-RECORD
           MOVE 999999999 TO BM-EIN
           SET BM-FILING-SEG TO TRUE
           MOVE "ZZZZZZ" TO FL-FORM-TYPE
           MOVE 999999 TO FL-TAX-PERIOD
           MOVE 99999999999.99 TO FL-TOTAL-TAX FL-TOTAL-WAGES
           MOVE 9999999 TO FL-EMPLOYEE-COUNT
           PERFORM EMIT-RECORD.

      * Record 3: a filing segment holding the minimum of each picture.
       EDGE-FILING-MIN.
           PERFORM CLEAR-RECORD
           MOVE 1 TO BM-EIN
           SET BM-FILING-SEG TO TRUE
           MOVE 0 TO FL-TAX-PERIOD
           MOVE -99999999999.99 TO FL-TOTAL-TAX FL-TOTAL-WAGES
           MOVE -9999999 TO FL-EMPLOYEE-COUNT
           PERFORM EMIT-RECORD.

      * Record 4: an officer segment at the maximum ownership.
       EDGE-OFFICER.
           PERFORM CLEAR-RECORD
           MOVE 987654321 TO BM-EIN
           SET BM-OFFICER-SEG TO TRUE
           MOVE ALL "ﬂ" TO OF-OFFICER-NAME
           MOVE "…¿«" TO OF-TITLE
           MOVE 999999999 TO OF-SSN
           MOVE 999.99 TO OF-OWNERSHIP-PCT
           PERFORM EMIT-RECORD.

      * Records 5-36: segments E, F, O, F, E, F, O, F, ... by WS-I.
       GENERATED.
           PERFORM CLEAR-RECORD
           COMPUTE BM-EIN = 10000000 + WS-I * 27182818
           EVALUATE FUNCTION MOD(WS-I, 4)
               WHEN 0 SET BM-ENTITY-SEG TO TRUE
               WHEN 2 SET BM-OFFICER-SEG TO TRUE
               WHEN OTHER SET BM-FILING-SEG TO TRUE
           END-EVALUATE
           EVALUATE TRUE
           WHEN BM-ENTITY-SEG
               COMPUTE WS-K = FUNCTION MOD(WS-I, 5) + 1
               MOVE WS-NAME(WS-K) TO EN-BUSINESS-NAME
               IF FUNCTION MOD(WS-I, 8) = 0
                   MOVE WS-NAME(6 - WS-K)(1:30) TO EN-DBA-NAME
               END-IF
               COMPUTE WS-K = FUNCTION MOD(WS-I, 4) * 2 + 1
               MOVE WS-ENTITY-TYPES(WS-K:2) TO EN-ENTITY-TYPE
               COMPUTE EN-ESTABLISHED = (1900 + WS-I * 3) * 10000
                   + (FUNCTION MOD(WS-I, 12) + 1) * 100
                   + FUNCTION MOD(WS-I * 7, 28) + 1
           WHEN BM-FILING-SEG
               COMPUTE WS-K = FUNCTION MOD(WS-I, 3) * 6 + 1
               MOVE WS-FORMS(WS-K:6) TO FL-FORM-TYPE
               COMPUTE FL-TAX-PERIOD =
                   (2000 + WS-I) * 100 + FUNCTION MOD(WS-I, 4) * 3 + 3
               COMPUTE FL-TOTAL-TAX = WS-I * WS-I * 3141.59 - 250000
               COMPUTE FL-TOTAL-WAGES = WS-I * 1234567.89
               COMPUTE FL-EMPLOYEE-COUNT = WS-I * 311 - 1500
           WHEN BM-OFFICER-SEG
               COMPUTE WS-K = FUNCTION MOD(WS-I, 4) + 1
               MOVE WS-OFFICER(WS-K) TO OF-OFFICER-NAME
               COMPUTE WS-K = FUNCTION MOD(WS-I, 3) + 1
               MOVE WS-TITLE(WS-K) TO OF-TITLE
               COMPUTE OF-SSN = 500000000 + WS-I * 12345
               COMPUTE OF-OWNERSHIP-PCT = WS-I * 3.33
           END-EVALUATE
           PERFORM EMIT-RECORD.

      * DISPLAY the key, the segment type and the active segment only,
      *  then convert the text to cp037 and WRITE.
       EMIT-RECORD.
           ADD 1 TO WS-REC-NO
           DISPLAY "REC|" WS-REC-NO
           DISPLAY "FLD|BM-EIN|I|" BM-EIN
           DISPLAY "FLD|BM-SEG-TYPE|X|" BM-SEG-TYPE
           EVALUATE TRUE
           WHEN BM-ENTITY-SEG
               DISPLAY "FLD|ENTITY-SEG.EN-BUSINESS-NAME|X|"
                   EN-BUSINESS-NAME
               DISPLAY "FLD|ENTITY-SEG.EN-DBA-NAME|X|" EN-DBA-NAME
               DISPLAY "FLD|ENTITY-SEG.EN-ENTITY-TYPE|X|" EN-ENTITY-TYPE
               DISPLAY "FLD|ENTITY-SEG.EN-ESTABLISHED|I|" EN-ESTABLISHED
               INSPECT ENTITY-SEG CONVERTING CONV-LATIN1 TO CONV-CP037
           WHEN BM-FILING-SEG
               DISPLAY "FLD|FILING-SEG.FL-FORM-TYPE|X|" FL-FORM-TYPE
               DISPLAY "FLD|FILING-SEG.FL-TAX-PERIOD|I|" FL-TAX-PERIOD
               DISPLAY "FLD|FILING-SEG.FL-TOTAL-TAX|D|" FL-TOTAL-TAX
               DISPLAY "FLD|FILING-SEG.FL-TOTAL-WAGES|D|" FL-TOTAL-WAGES
               DISPLAY "FLD|FILING-SEG.FL-EMPLOYEE-COUNT|I|"
                   FL-EMPLOYEE-COUNT
               INSPECT FL-FORM-TYPE
                   CONVERTING CONV-LATIN1 TO CONV-CP037
               INSPECT FL-TAX-PERIOD(1:)
                   CONVERTING CONV-LATIN1 TO CONV-CP037
      *        the FILLER of the filing segment: bytes 41-90
               INSPECT BUSINESS-MASTER(41:50)
                   CONVERTING CONV-LATIN1 TO CONV-CP037
           WHEN BM-OFFICER-SEG
               DISPLAY "FLD|OFFICER-SEG.OF-OFFICER-NAME|X|"
                   OF-OFFICER-NAME
               DISPLAY "FLD|OFFICER-SEG.OF-TITLE|X|" OF-TITLE
               DISPLAY "FLD|OFFICER-SEG.OF-SSN|I|" OF-SSN
               DISPLAY "FLD|OFFICER-SEG.OF-OWNERSHIP-PCT|D|"
                   OF-OWNERSHIP-PCT
               INSPECT OFFICER-SEG
                   CONVERTING CONV-LATIN1 TO CONV-CP037
           END-EVALUATE
           DISPLAY "END|" WS-REC-NO
           INSPECT BM-EIN(1:) CONVERTING CONV-LATIN1 TO CONV-CP037
           INSPECT BM-SEG-TYPE CONVERTING CONV-LATIN1 TO CONV-CP037
           WRITE BUSINESS-MASTER
           IF WS-FS NOT = "00"
               DISPLAY "WRITE FAILED " WS-FS UPON SYSERR
               STOP RUN RETURNING 1
           END-IF.
