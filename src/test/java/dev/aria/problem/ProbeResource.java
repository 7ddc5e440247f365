package dev.aria.problem;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

/** A test-only endpoint that fails the way no real one should: a fault of the service. */
@Path("/test-probe")
@Produces(MediaType.APPLICATION_JSON)
public class ProbeResource {

    @GET
    @Path("/boom")
    @Operation(hidden = true)
    public String boom() {
        throw new IllegalStateException("secret internals: /etc/passwd");
    }
}
