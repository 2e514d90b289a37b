from .positioned_loop import PositionedIterBasedTrainLoop

__all__ = ['PositionedIterBasedTrainLoop']
