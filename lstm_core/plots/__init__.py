"""Figures for the lessons: pure functions that draw on a matplotlib ``ax`` (or a new one) and return it.

- ``style``: the palette and helpers every figure shares (log axes, input checks).
- ``cell``: lesson 01's picture of one LSTM cell, with live values on the wires.
- ``forward``: lessons 01-02 (activations, memory traces, loss slices).
- ``step``: lessons 03-04 (gate gradients, sweeps, weight-gradient outer products, batches).
- ``time``: lesson 05 (unrolled graph, gradient heat maps, truncation).
- ``checking``: lessons 06 and 09 (step-size sweeps, per-tensor reports, the article's deltas).
- ``vanishing``: lesson 07 (gradient norms over time, RNN against LSTM, clipping).
- ``training``: lesson 08 (loss curves, predictions, samples).
- ``variants``: lesson 11 (peephole LSTM, GRU).

Data flows one way: notebooks call these functions, these functions call numpy and matplotlib.
"""
