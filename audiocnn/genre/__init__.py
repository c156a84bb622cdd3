"""Genre classification: `python -m audiocnn.genre {train,evaluate,predict,baseline}`."""
