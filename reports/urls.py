from reports import views

urlpatterns = views.urlpatterns
