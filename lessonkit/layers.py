"""The course's own Keras layers: trusted code the grader may rebuild a learner's model from.

``lessonkit.models.rebuilt_model`` resolves a configuration's classes only among Keras' own
layers and the ones listed in ``__all__`` here, so a lesson whose model needs a layer Keras
does not have defines it in this module (and the lesson imports it from here).
"""

from __future__ import annotations

__all__: list[str] = []
