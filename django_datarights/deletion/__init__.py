"""Account deletion: requests, grace period and the erasure engine."""
