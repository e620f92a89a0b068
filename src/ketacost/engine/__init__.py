"""From a scenario to results: the visit schedule, claim lines, cost sharing and the
estimate, with the fast paths that must equal it."""
