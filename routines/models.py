# Technique, RoutineTemplate and RoutineStep arrive with the routines issue.
