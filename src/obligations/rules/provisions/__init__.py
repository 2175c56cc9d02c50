"""One rule per kind of provision of the provisions form of terms (issue 13)."""
