"""Interfaces: parse input, call one use case, render. They never compute obligations."""
