"""Staff: adding therapists, receptionists and managers by invitation, their
roles, qualifications and rooms, deactivating."""

urlpatterns = []
