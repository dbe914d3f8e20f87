"""A handler module whose import fails (the runtime reports Runtime.ImportModuleError)."""

raise ImportError("this module cannot be imported")
