"""The digital-human accuracy bench: rendered scenarios with exact truth vs the analyzer.

Needs the synth extra to render (cached renders and pose tracks are reused without it).
"""
