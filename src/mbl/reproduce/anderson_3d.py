"""placeholder"""
NAME = "anderson-3d-levels"
def run(**kw): raise NotImplementedError
