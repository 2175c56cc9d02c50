"""PURE rules: (terms, ordered facts, as_of) -> report sections. No I/O, no clock, no SQL."""
