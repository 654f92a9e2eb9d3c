"""Arrow tables to and from files: Parquet, Arrow IPC, CSV and JSON Lines."""
