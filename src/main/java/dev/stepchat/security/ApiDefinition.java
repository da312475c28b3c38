package dev.stepchat.security;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** The API's OpenAPI header: the bearer scheme, so that Swagger UI's Authorize button works. */
@OpenAPIDefinition(info = @Info(title = "stepchat API", version = "1"),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT",
        description = "A JWT from the configured issuer; its subject owns the conversations it creates")
public class ApiDefinition extends Application {
}
