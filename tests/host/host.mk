# host unit tests (being written)
