"""newsflow: ingestion worker for news text."""
__version__ = "0.1.0"
