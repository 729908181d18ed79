"""Saving and loading state dicts as .npz (being written; see issue 4)."""


def save(state, path):
    raise NotImplementedError("issue 4: mg.save is being written")


def load(path):
    raise NotImplementedError("issue 4: mg.load is being written")
