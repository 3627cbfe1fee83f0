"""The knowledge base: one SQLite file, written only through `KnowledgeBase`."""
from kb.records import Document, RunSummary, SourceHealth
from kb.store import CHANGED, NEW, UNCHANGED, KnowledgeBase, KnowledgeBaseError

__all__ = [
    "CHANGED", "NEW", "UNCHANGED", "Document", "KnowledgeBase", "KnowledgeBaseError",
    "RunSummary", "SourceHealth",
]
