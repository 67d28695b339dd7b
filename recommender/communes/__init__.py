"""Hanoi's 126 wards and communes as a traveller meets them: stories, signature items and dated events.

:mod:`~recommender.communes.lunar` converts Vietnamese lunar dates, :mod:`~recommender.communes.events` holds the
festivals and other dated items, :mod:`~recommender.communes.stories` each unit's story and signature items.
"""
