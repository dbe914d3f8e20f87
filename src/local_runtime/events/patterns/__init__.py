"""EventBridge event patterns: one matcher for the bus's rules and Lambda's event filters.

``Pattern(source)`` refuses what EventBridge refuses, with its reason (``compiler``), and
``Pattern.matches(event)`` answers as EventBridge's engine does (``matcher``). The conformance
corpus (``tests/unit/runtime/patterns_corpus.json``) holds the cases that prove both.
"""

from local_runtime.events.patterns.compiler import EVENTBRIDGE, LAMBDA
from local_runtime.events.patterns.matcher import Pattern
from local_runtime.events.patterns.model import InvalidPatternError

__all__ = ["EVENTBRIDGE", "LAMBDA", "InvalidPatternError", "Pattern"]
