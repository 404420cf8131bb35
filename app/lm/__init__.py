"""The lab's own small language-model library: BPE tokenizer, GPT model, sampling and generation.

A plain library (torch, numpy, regex, tiktoken): no web framework imports, usable from a notebook.
"""
