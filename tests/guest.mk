# guest tests (being written)
