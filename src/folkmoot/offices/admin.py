from django.contrib import admin

from .models import Office, Tenure


class TenureInline(admin.TabularInline):
    model = Tenure
    extra = 0
    raw_id_fields = ["holder"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["slug", "assembly", "seats"]
    list_select_related = ["assembly"]
    inlines = [TenureInline]
