"""What a run tells people: the console summary, JSON, JUnit, HTML, progress, benchmark reports."""
