"""The knowledge base: one SQLite file, written only through `KnowledgeBase`."""

from sentinella.kb.store import CHANGED, NEW, UNCHANGED, KnowledgeBase, KnowledgeBaseError

__all__ = ["CHANGED", "NEW", "UNCHANGED", "KnowledgeBase", "KnowledgeBaseError"]
