"""The processes of a deployment: the command line, the watcher, the worker node and the `up` supervisor."""
