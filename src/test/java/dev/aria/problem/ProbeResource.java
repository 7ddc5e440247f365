package dev.aria.problem;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Test-only endpoints that fail in every way the problem mappers must handle. */
@Path("/test-probe")
@Produces(MediaType.APPLICATION_JSON)
public class ProbeResource {

    /** A form bean whose Java names differ from the form field names. */
    public static class Settings {
        @RestForm("top_p")
        @DecimalMin("0.0")
        @DecimalMax("1.0")
        public Double topP;

        @RestForm
        @Min(1)
        public Integer bars;
    }

    /** A JSON body whose property name differs from the Java name. */
    public record Body(@JsonProperty("max_len") @Min(1) int maxLen, @NotBlank String name) {
    }

    public enum Mood {
        HAPPY, SAD
    }

    @POST
    @Path("/params")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public String params(@RestForm("seed") @Min(0) int seed,
            @RestForm("temperature") @DecimalMax("2.0") double temperature,
            @RestForm("mood") Mood mood) {
        return "{\"ok\":true}";
    }

    @POST
    @Path("/bean")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(hidden = true)
    public String bean(@BeanParam @Valid Settings settings) {
        return "{\"ok\":true}";
    }

    @GET
    @Path("/query")
    @Operation(hidden = true)
    public String query(@RestQuery("count") @Min(1) Integer count) {
        return "{\"ok\":true}";
    }

    @POST
    @Path("/json")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(hidden = true)
    public String json(@Valid Body body) {
        return "{\"ok\":true}";
    }

    @GET
    @Path("/boom")
    @Operation(hidden = true)
    public String boom() {
        throw new IllegalStateException("secret internals: /etc/passwd");
    }

    @GET
    @Path("/unavailable")
    @Operation(hidden = true)
    public String unavailable() {
        throw new ServiceUnavailableException(7L);
    }

    @GET
    @Path("/busy")
    @Operation(hidden = true)
    public String busy() {
        throw new ApiException(503, "overloaded", null, "All generation slots are busy. Retry in 5 seconds.")
                .withHeader("Retry-After", "5");
    }
}
