"""One run of the corpus: selecting cases, running their steps, judging the answers, known
failures, and which edges of the declared state graphs the run went through."""
