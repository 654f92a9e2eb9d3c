"""What every test suite shares: record and item builders, the one round-trip assertion, the
construct reference model and the hypothesis strategies. Benchmarks import the builders too."""
