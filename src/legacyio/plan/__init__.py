"""Layout + options -> column operations: the node tree, the one Arrow schema, decode,
encode and variable layouts."""
