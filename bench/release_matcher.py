"""The matcher of the previous release (as on main before issue 15), kept only so the
benchmark can measure the new matcher against it in the same run."""
from expert.experta_compat import ReteMatcher


class ReleaseReteMatcher(ReteMatcher):
    """ReteMatcher that does per change only the work that change needs.

    After every declaration experta asks *all* conflict-set nodes (one per rule)
    for new activations, and ``reset`` walks the shared node graph recursively,
    visiting shared nodes many times. With a few hundred rules that dominated a
    consultation. Here a conflict-set node marks itself when it is activated, so
    only marked nodes are asked (in network order, as before); ``reset`` wipes each
    node memory once, and only if it holds something. The network, the matching and
    the activations are experta's own.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._conflict_nodes = self._get_conflict_set_nodes()
        self._changed = set()           # indexes of conflict-set nodes activated since last asked
        for index, node in enumerate(self._conflict_nodes):
            node._activate = self._marking(node._activate, index)
        # The node memories a reset must wipe (feature-tester and bus nodes keep none).
        self._memories = [(node, name) for node in self._unique_nodes()
                          for name in ("memory", "left_memory", "right_memory") if name in vars(node)]

    def _marking(self, activate, index):
        def marked(token):
            self._changed.add(index)
            return activate(token)
        return marked

    def _unique_nodes(self):
        seen, order, stack = set(), [], [self.root_node]
        while stack:
            node = stack.pop()
            if id(node) not in seen:
                seen.add(id(node))
                order.append(node)
                stack.extend(child.node for child in node.children)
        return order

    def changes(self, adding=None, deleting=None):
        for fact in deleting or ():
            self.root_node.remove(fact)
        for fact in adding or ():
            self.root_node.add(fact)
        added, removed = [], []
        for index in sorted(self._changed):
            node_added, node_removed = self._conflict_nodes[index].get_activations()
            added.extend(node_added)
            removed.extend(node_removed)
        self._changed.clear()
        return added, removed

    def reset(self):
        for node, name in self._memories:
            if getattr(node, name):                  # most memories are already empty
                setattr(node, name, type(getattr(node, name))())
        for node in self._conflict_nodes:
            # activations left over from an interrupted run must not leak into the next
            node.added, node.removed = set(), set()
        self._changed = set()
