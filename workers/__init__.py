"""Worker processes: one generic runner, one small entry module per consumer group."""
