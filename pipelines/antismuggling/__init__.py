"""antismuggling: analytics warehouse of a customs anti-smuggling system."""
