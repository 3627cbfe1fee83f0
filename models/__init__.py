"""The shipped Italian pipeline (it_sentinella/, package data) and the recipe that rebuilds it.

The recipe's modules (train.py, gazetteers.py, vectors.py) need the `train` extra and are
never imported by Sentinella at run time.
"""
