"""Network measures on graphs of people.

Every measure takes a graph first (a networkx graph or a :class:`ona.graph.CompactGraph`),
options keyword-only, and returns pandas indexed by person or group. The modules
(:mod:`ona.analysis.centrality`, :mod:`ona.analysis.brokers`, and the silos, roles and team
modules beside them) are imported on demand, not here, so ``import ona`` stays fast.
"""

__all__: list[str] = []
